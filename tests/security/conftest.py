"""Fixtures of the security tests, and the suite-wide log capture that the personal-data scan reads.

The capture handler is added to the root logger when this file is imported, which happens while
pytest collects, before any test of any folder runs; so it sees everything the services log during
the whole session (the apps keep handlers that are not theirs, see `shared.logging`). The scan test
and the database dump scan (tests/security/test_zz_database_dump.py) are moved to the very end of the run
whatever order the tests were collected in.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any

import httpx
import pytest

from shared.logging import JsonFormatter
from tests.security.support import FOREIGN_FORCE, OWN_FORCE, Tenant, World
from tests.support import Tokens, fresh_urn

SCAN_TEST_NAME = "test_no_name_or_date_of_birth_from_any_test_record_appears_in_any_log_line"
DUMP_TEST_NAME = "test_a_dump_of_either_database_after_the_suite_holds_no_name_date_of_birth_or_narrative_in_clear"
# Run last, in this order: the scans read what the whole suite stored and logged.
LAST = (SCAN_TEST_NAME, DUMP_TEST_NAME)

# What the suite measured, printed at the end of the run (matrix size, Schemathesis cases).
TALLY: dict[str, Counter[str]] = {"matrix": Counter(), "fuzz": Counter(), "media": Counter()}


class CapturedLog(logging.Handler):
    """Keeps every record as the services would write it (their JSON line), plus the raw message."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []
        self._render = JsonFormatter("captured")
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self._render.format(record)
        except Exception:  # a record that cannot be formatted is kept raw, so it is still scanned
            line = repr(record.__dict__)
        with self._lock:
            self.lines.append(line)


CAPTURE = CapturedLog()
logging.getLogger().addHandler(CAPTURE)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    last = sorted((item for item in items if item.name in LAST), key=lambda item: LAST.index(item.name))
    if last:
        items[:] = [item for item in items if item.name not in LAST] + last


def pytest_terminal_summary(terminalreporter: Any) -> None:
    matrix, fuzz, media = TALLY["matrix"], TALLY["fuzz"], TALLY["media"]
    if not matrix and not fuzz and not media:
        return
    terminalreporter.section("security measurements")
    if matrix:
        for service in sorted({key.split(":")[0] for key in matrix}):
            operations = sum(1 for key in matrix if key.startswith(service + ":"))
            cases = sum(count for key, count in matrix.items() if key.startswith(service + ":"))
            terminalreporter.write_line(f"access matrix {service}: {operations} operations, {cases} cases")
        terminalreporter.write_line(f"access matrix total: {len(matrix)} operations, {sum(matrix.values())} cases")
    if fuzz:
        for key in sorted(fuzz):
            terminalreporter.write_line(f"schemathesis {key}: {fuzz[key]} generated cases")
        terminalreporter.write_line(f"schemathesis total: {sum(fuzz.values())} generated cases")
    for key, count in media.items():
        terminalreporter.write_line(f"image guard corpus, {key}: {count}")


@pytest.fixture(scope="session")
def own_school() -> Tenant:
    return Tenant("own", fresh_urn(), OWN_FORCE)


@pytest.fixture(scope="session")
def foreign_school() -> Tenant:
    return Tenant("foreign", fresh_urn(), FOREIGN_FORCE)


@pytest.fixture(scope="session")
def sibling_school(own_school: Tenant) -> Tenant:
    """Another school in the same force as `own_school`: at the police, a school client sees only its own reports."""
    return Tenant("sibling", fresh_urn(), own_school.force_code)


@pytest.fixture(scope="session")
def world(school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, tokens: Tokens) -> World:
    return World(school=school, police=police, school_app=school_app, police_app=police_app, tokens=tokens)


@pytest.fixture(scope="session")
def documents(school_app: Any, police_app: Any) -> dict[str, dict[str, Any]]:
    return {"school_api": school_app.openapi(), "police_api": police_app.openapi()}
