"""Incident references: `URN-YEAR-NNNN`, numbered per school and year, with no gaps and no repeats."""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import event, select

from services.school_api.database import AuditEntry
from services.school_api.incidents.models import IncidentCounter
from shared.audit import verify_chain
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import BACKEND, Tokens


async def test_incidents_opened_at_once_by_one_school_are_numbered_without_gaps_or_repeats(
    school: httpx.AsyncClient, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    opened = await asyncio.gather(*(s.open() for _ in range(20)))
    year = opened[0]["reference"].split("-")[1]
    assert sorted(incident["reference"] for incident in opened) == [f"{urn}-{year}-{n:04d}" for n in range(1, 21)]


async def test_a_reference_grows_past_four_digits_rather_than_being_cut(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    first = await s.open()
    year = int(first["reference"].split("-")[1])
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(urn) as session:
        counter = await session.get(IncidentCounter, (urn, year))
        counter.last_number = 9_999
        await session.commit()
    assert (await s.open())["reference"] == f"{urn}-{year}-10000"


async def test_opening_an_incident_is_one_statement_with_its_audit_row_and_no_begin_or_commit_on_postgresql(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    engine = school_app.state.runtime.engine  # type: ignore[attr-defined]
    statements: list[str] = []
    # BEGIN and COMMIT are the driver's own (asyncpg sends them outside SQLAlchemy's statements); its
    # query logger sees them, and not the prepared statements, which the listener above it sees.
    transaction_commands: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    def record_command(logged: object) -> None:
        transaction_commands.append(logged.query)  # type: ignore[attr-defined]

    def on_checkout(dbapi_connection: object, *_: object) -> None:
        dbapi_connection.driver_connection.add_query_logger(record_command)  # type: ignore[attr-defined]

    def on_checkin(dbapi_connection: object, *_: object) -> None:
        dbapi_connection.driver_connection.remove_query_logger(record_command)  # type: ignore[attr-defined]

    listeners = [("before_cursor_execute", seen)]
    if BACKEND == "postgresql":
        listeners += [("checkout", on_checkout), ("checkin", on_checkin)]
    for name, listener in listeners:
        event.listen(engine.sync_engine, name, listener)
    try:
        opened = await School(school, tokens, urn).open()
    finally:
        for name, listener in listeners:
            event.remove(engine.sync_engine, name, listener)
    if BACKEND == "postgresql":
        # Counter, incident and audit row in one round trip, committed by PostgreSQL as a lone statement:
        # what the benchmark's create incident measures.
        assert len(statements) == 1 and "audit_append" in statements[0], statements
        assert transaction_commands == [], transaction_commands
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(ALL_TENANTS) as session:
        rows = (await session.scalars(select(AuditEntry).where(AuditEntry.record_id == opened["id"]))).all()
    assert [(row.operation, row.outcome, row.tenant) for row in rows] == [("incident.create", "allowed", urn)]
    async with runtime.session(ALL_TENANTS) as session:
        assert (await verify_chain(session, AuditEntry)).intact
