"""Development logs read as one plain line per event; production logs one JSON object a line (issue 16)."""
from __future__ import annotations

import io
import json
import logging

import pytest

from shared.logging import configure_logging, request_id_var

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


def _log_one(readable: bool) -> str:
    stream = io.StringIO()
    configure_logging("school_api", stream=stream, readable=readable)
    token = request_id_var.set("r-1")
    try:
        logging.getLogger("http").info("request", extra={"fields": {"method": "POST", "route": "/incidents", "status": 201}})
    finally:
        request_id_var.reset(token)
        configure_logging("school_api")  # back to JSON on stderr for the rest of the suite
    return stream.getvalue().strip()


def test_a_development_log_line_is_plain_words_with_the_same_fields_as_the_json_line() -> None:
    line = _log_one(readable=True)
    assert not line.startswith("{")
    assert " INFO " in line and "school_api  http  request" in line
    assert line.endswith("method=POST route=/incidents status=201 request_id=r-1")


def test_a_production_log_line_is_one_json_object() -> None:
    line = json.loads(_log_one(readable=False))
    assert (line["service"], line["event"], line["route"], line["status"], line["request_id"]) == ("school_api", "request", "/incidents", 201, "r-1")


def test_only_development_settings_ask_for_readable_logs() -> None:
    from services.school_api.settings import SchoolSettings

    assert SchoolSettings(environment="development").readable_logs is True
    assert SchoolSettings(environment="test").readable_logs is False
