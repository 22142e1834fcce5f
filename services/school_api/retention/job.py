"""`school-api retention run`: dispose of every file that has fallen due and is not held.

One transaction per file (the disposal, its record and its audit row commit together), so a job that dies
half-way leaves each file either whole or disposed, and running it again disposes only what is left.
A dry run reads the same files and says what it would do, changing no record (its reads are audited).
Lines name the record type, id, reference, due date and action: never a name, a date of birth or a text.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.school_api.database import AuditEntry
from services.school_api.incidents.models import Incident
from services.school_api.retention.models import Disposal
from services.school_api.retention.service import INCIDENT, active_hold, anonymise_incident, facts_of, held_incidents
from services.school_api.rules.retention import RetentionAction, RetentionDue, is_due, retention_of_incident
from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.identity import Actor
from shared.tenancy import ALL_TENANTS, set_tenant

JOB_SUBJECT = "retention-job"
SYSTEM_ROLE = "system"


class Outcome(StrEnum):
    disposed = "disposed"
    would_dispose = "would_dispose"
    # Due, and kept: under a legal hold.
    held = "held"
    # Due, and kept: the schedule asks a person to look first (an incident still open).
    review = "review"


@dataclass(frozen=True)
class Line:
    school_urn: str
    record_type: str
    id: str
    reference: str
    due_on: str
    action: str
    outcome: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def job_actor(school_urn: str) -> Actor:
    return Actor(subject=JOB_SUBJECT, role=SYSTEM_ROLE, tenant=school_urn)


async def due_files(session: AsyncSession, today: date, school_urn: str | None) -> list[tuple[Incident, RetentionDue]]:
    """Every file not disposed of yet whose retention date has come, oldest due first."""
    query = select(Incident).where(Incident.id.not_in(select(Disposal.incident_id)))
    if school_urn is not None:
        query = query.where(Incident.school_urn == school_urn)
    incidents = list((await session.scalars(query)).all())
    facts = await facts_of(session, incidents)
    found = [(incident, retention_of_incident(facts[incident.id])) for incident in incidents]
    due = [(incident, retention) for incident, retention in found if is_due(retention, today)]
    return sorted(due, key=lambda pair: (pair[1].due_on, pair[0].reference))


async def run_retention(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *, dry_run: bool, school_urn: str | None = None
) -> list[Line]:
    """Every school's due files, or one school's (`school_urn`)."""
    now = clock.now()
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS if school_urn is None else school_urn)
        due = await due_files(session, now.date(), school_urn)
        held = await held_incidents(session, [incident.id for incident, _ in due])
    if dry_run:
        lines = [_line(incident, retention, _planned(retention, incident.id in held)) for incident, retention in due]
        await _audit_reads(sessionmaker, clock, lines)
        return lines
    return [await _dispose(sessionmaker, clock, incident.id, retention) for incident, retention in due]


def _planned(retention: RetentionDue, held: bool) -> Outcome:
    if held:
        return Outcome.held
    return Outcome.would_dispose if retention.action is RetentionAction.anonymise else Outcome.review


async def _dispose(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, incident_id: uuid.UUID, retention: RetentionDue) -> Line:
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS)
        incident = await session.get(Incident, incident_id)
        assert incident is not None  # files are anonymised, never deleted
        # From here the session sees and writes this school's rows only.
        set_tenant(session, incident.school_urn)
        # Read again inside the file's own transaction: a hold placed since the listing still stops it.
        if await active_hold(session, incident.id) is not None:
            outcome, operation = Outcome.held, "retention.keep_held"
        elif retention.action is not RetentionAction.anonymise:
            outcome, operation = Outcome.review, "retention.review_due"
        else:
            await anonymise_incident(session, incident, retention, clock.now())
            outcome, operation = Outcome.disposed, "retention.dispose"
        line = _line(incident, retention, outcome)
        trail = AuditTrail(request_id=None, actor=job_actor(incident.school_urn))
        trail.record(operation, INCIDENT, incident.id)
        await append_events(session, AuditEntry, trail, clock)
        await session.commit()
        return line


async def _audit_reads(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, lines: list[Line]) -> None:
    by_school: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_school[line.school_urn].append(line)
    for school_urn, school_lines in by_school.items():
        async with sessionmaker() as session:
            set_tenant(session, school_urn)
            trail = AuditTrail(request_id=None, actor=job_actor(school_urn))
            for line in school_lines:
                trail.record("retention.dry_run", INCIDENT, line.id)
            await append_events(session, AuditEntry, trail, clock)
            await session.commit()


def _line(incident: Incident, retention: RetentionDue, outcome: Outcome) -> Line:
    return Line(
        school_urn=incident.school_urn,
        record_type=retention.record_type.value,
        id=str(incident.id),
        reference=incident.reference,
        due_on=retention.due_on.isoformat(),
        action=retention.action.value,
        outcome=outcome.value,
    )
