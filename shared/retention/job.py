"""The disposal job both services run (`school-api retention run`, `police-api retention run`).

Each service's `IncidentRetention` (service.py) says what a file is (a school incident, a police incident),
which are due and how to anonymise one; this module runs them the same way in both:
- one transaction per file (its disposal, its disposal record and its audit row commit together), so a
  job that dies half-way leaves each file whole or disposed, and running it again disposes only the rest;
- a legal hold, and the disposal record, are read again inside the file's own transaction, so a hold placed
  since the listing stops it and a file another run disposed of meanwhile is left alone;
- a dry run lists what it would do and changes no record (its reads are audited, as the system's);
- lines name the tenant, record type, id, reference, due date, action and outcome: never a name, a date
  of birth or a text.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.identity import Actor
from shared.retention.service import Due, IncidentRetention
from shared.tenancy import ALL_TENANTS, set_tenant

JOB_SUBJECT = "retention-job"
SYSTEM_ROLE = "system"
ANONYMISE = "anonymise"


class Outcome(StrEnum):
    disposed = "disposed"
    would_dispose = "would_dispose"
    # Due, and kept: under a legal hold.
    held = "held"
    # Due, and kept: the schedule asks a person to decide first.
    review = "review"


@dataclass(frozen=True)
class Line:
    tenant: str
    record_type: str
    id: str
    reference: str
    due_on: str
    action: str
    outcome: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def job_actor(tenant: str) -> Actor:
    return Actor(subject=JOB_SUBJECT, role=SYSTEM_ROLE, tenant=tenant)


async def run_retention(
    retention: IncidentRetention, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *, dry_run: bool, tenant: str | None = None
) -> list[Line]:
    """Every tenant's due files, or one tenant's."""
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS if tenant is None else tenant)
        files = await retention.due_files(session, clock.now().date(), tenant)
        held = await retention.held_incidents(session, [record.id for record, _ in files])
    if dry_run:
        lines = [_line(retention, record, due, _planned(due, record.id in held)) for record, due in files]
        await _audit_reads(retention, sessionmaker, clock, lines)
        return lines
    lines = [await _dispose(retention, sessionmaker, clock, record.id, due) for record, due in files]
    return [line for line in lines if line is not None]


def _planned(due: Due, held: bool) -> Outcome:
    if held:
        return Outcome.held
    return Outcome.would_dispose if due.action.value == ANONYMISE else Outcome.review


async def _dispose(
    retention: IncidentRetention, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, record_id: uuid.UUID, due: Due
) -> Line | None:
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS)
        record = await retention.load(session, record_id)
        tenant = retention.tenant_of(record)
        # From here the session sees and writes this tenant's rows only.
        set_tenant(session, tenant)
        if await retention.is_disposed(session, record.id):
            return None  # another run disposed of it since the listing
        if await retention.active_hold(session, record.id) is not None:
            outcome, operation = Outcome.held, "retention.keep_held"
        elif due.action.value != ANONYMISE:
            outcome, operation = Outcome.review, "retention.review_due"
        else:
            await retention.dispose(session, record, due, clock.now())
            outcome, operation = Outcome.disposed, "retention.dispose"
        line = _line(retention, record, due, outcome)
        trail = AuditTrail(request_id=None, actor=job_actor(tenant))
        trail.record(operation, retention.incident_record, record.id)
        await append_events(session, retention.audit_model, trail, clock)
        await session.commit()
        return line


async def _audit_reads(retention: IncidentRetention, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, lines: list[Line]) -> None:
    by_tenant: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_tenant[line.tenant].append(line)
    for tenant, tenant_lines in by_tenant.items():
        async with sessionmaker() as session:
            set_tenant(session, tenant)
            trail = AuditTrail(request_id=None, actor=job_actor(tenant))
            for line in tenant_lines:
                trail.record("retention.dry_run", retention.incident_record, line.id)
            await append_events(session, retention.audit_model, trail, clock)
            await session.commit()


def _line(retention: IncidentRetention, record: Any, due: Due, outcome: Outcome) -> Line:
    return Line(
        tenant=retention.tenant_of(record),
        record_type=due.record_type.value,
        id=str(record.id),
        reference=record.reference,
        due_on=due.due_on.isoformat(),
        action=due.action.value,
        outcome=outcome.value,
    )
