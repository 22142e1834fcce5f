"""What recording a risk assessment reads, writes and audits, and in how many statements."""
from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import event, select

from services.school_api.assessments.models import RiskAssessment
from services.school_api.database import AuditEntry
from services.school_api.incidents.models import Incident
from shared.audit import verify_chain
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import NO_FACTORS, NO_IMMEDIATE, School
from tests.support import BACKEND, Tokens

ASSESSMENT = {"immediate": NO_IMMEDIATE, "factors": NO_FACTORS, "typology": "experimental_other"}


async def _audited(school_app: object, urn: str) -> list[tuple[str, str | None, str | None, str]]:
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(ALL_TENANTS) as session:
        rows = (await session.scalars(select(AuditEntry).where(AuditEntry.tenant == urn).order_by(AuditEntry.seq))).all()
        assert (await verify_chain(session, AuditEntry)).intact
    return [(row.operation, row.record_type, row.record_id, row.outcome) for row in rows]


async def test_an_assessment_reads_the_incident_and_its_people_then_writes_with_its_audit_rows(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    first, second = await s.add_person(incident), await s.add_person(incident, kind="pupil", roles=["recipient"])
    engine = school_app.state.runtime.engine  # type: ignore[attr-defined]
    statements: list[str] = []
    # BEGIN and COMMIT are asyncpg's own, outside SQLAlchemy's statements: its query logger sees them.
    transaction_commands: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    def record_command(logged: Any) -> None:
        transaction_commands.append(logged.query)

    def on_checkout(dbapi_connection: Any, *_: object) -> None:
        dbapi_connection.driver_connection.add_query_logger(record_command)

    def on_checkin(dbapi_connection: Any, *_: object) -> None:
        dbapi_connection.driver_connection.remove_query_logger(record_command)

    listeners = [("before_cursor_execute", seen)]
    if BACKEND == "postgresql":
        listeners += [("checkout", on_checkout), ("checkin", on_checkin)]
    before = len(await _audited(school_app, urn))
    for name, listener in listeners:
        event.listen(engine.sync_engine, name, listener)
    try:
        answer = await school.post(s.path(incident, "/assessments"), json=ASSESSMENT, headers=s.dsl)
    finally:
        for name, listener in listeners:
            event.remove(engine.sync_engine, name, listener)
    assert answer.status_code == 201, answer.text
    assert answer.headers["ETag"] == '"v2"'
    assert answer.json()["recommendation"] == "manage_in_school"
    if BACKEND == "postgresql":
        # The incident and its people in one SELECT; the assessment, the incident's move on and the audit
        # rows in one statement, committed by PostgreSQL as a lone statement.
        assert len(statements) == 2 and "audit_append" in statements[1], statements
        assert transaction_commands == [], transaction_commands
    assessment = answer.json()["id"]
    assert (await _audited(school_app, urn))[before:] == [
        ("incident.assessment.append", "incident", incident["id"], "allowed"),
        ("person.read", "person", first["id"], "allowed"),
        ("person.read", "person", second["id"], "allowed"),
        ("risk_assessment.create", "risk_assessment", assessment, "allowed"),
        ("incident.read", "incident", incident["id"], "allowed"),
    ]
    assert (await school.get(s.path(incident), headers=s.dsl)).json()["status"] == "assessed"

    # A later assessment is added; the incident has moved on already and keeps its version.
    again = await school.post(s.path(incident, "/assessments"), json=ASSESSMENT, headers=s.dsl)
    assert again.status_code == 201, again.text
    assert again.headers["ETag"] == '"v2"'
    listed = await school.get(s.path(incident, "/assessments"), headers=s.dsl)
    assert [item["id"] for item in listed.json()["items"]] == [assessment, again.json()["id"]]


async def test_an_incident_changed_between_the_assessments_read_and_its_write_is_refused_and_nothing_is_written(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    engine = school_app.state.runtime.engine  # type: ignore[attr-defined]
    changed: list[str] = []

    def change_first(_conn: object, cursor: Any, statement: str, *_: object) -> None:
        # Another request's edit, just before this one moves the incident on.
        if "UPDATE incidents" in statement and not changed:
            changed.append(statement)
            cursor.execute(f"UPDATE incidents SET version = version + 1 WHERE school_urn = '{urn}'")

    event.listen(engine.sync_engine, "before_cursor_execute", change_first)
    try:
        answer = await school.post(s.path(incident, "/assessments"), json=ASSESSMENT, headers=s.dsl)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", change_first)
    assert changed
    assert answer.status_code == 412, answer.text
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(urn) as session:
        assert (await session.scalars(select(RiskAssessment).where(RiskAssessment.incident_id == uuid.UUID(incident["id"])))).all() == []
        assert (await session.get(Incident, uuid.UUID(incident["id"]))).status.value == "open"  # type: ignore[union-attr]
    refused = [row for row in await _audited(school_app, urn) if row[0] != "incident.create"]
    assert [(operation, outcome) for operation, _, _, outcome in refused] == [("assess_risk", "refused")]
