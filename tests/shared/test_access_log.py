"""The access log line says what happened to each request, including one that never got an answer."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from shared.http import CANCELLED_LOG_STATUS, RequestGuard

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

SCOPE = {"type": "http", "method": "GET", "path": "/reports/1/status", "headers": []}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    pass


def _logged_statuses(caplog: pytest.LogCaptureFixture) -> list[int]:
    return [record.fields["status"] for record in caplog.records if record.name == "http" and record.msg == "request"]


async def test_a_request_cancelled_before_any_answer_is_logged_as_499_not_as_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def waits_for_ever(scope: Any, receive: Any, send: Any) -> None:
        started.set()
        await asyncio.Event().wait()

    guard = RequestGuard(waits_for_ever, max_body_bytes=1024)
    caplog.set_level(logging.INFO, logger="http")
    request = asyncio.create_task(guard(dict(SCOPE), _receive, _send))
    await started.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert _logged_statuses(caplog) == [CANCELLED_LOG_STATUS]


async def test_a_request_that_fails_without_an_answer_is_logged_as_500(caplog: pytest.LogCaptureFixture) -> None:
    async def fails(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a bug")

    guard = RequestGuard(fails, max_body_bytes=1024)
    caplog.set_level(logging.INFO, logger="http")
    with pytest.raises(RuntimeError):
        await guard(dict(SCOPE), _receive, _send)
    assert _logged_statuses(caplog) == [500]


async def test_a_request_answered_then_cancelled_keeps_the_status_it_answered(caplog: pytest.LogCaptureFixture) -> None:
    async def answers_then_is_cancelled(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise asyncio.CancelledError

    guard = RequestGuard(answers_then_is_cancelled, max_body_bytes=1024)
    caplog.set_level(logging.INFO, logger="http")
    with pytest.raises(asyncio.CancelledError):
        await guard(dict(SCOPE), _receive, _send)
    assert _logged_statuses(caplog) == [200]
