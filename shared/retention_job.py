"""The disposal job both services run (`school-api retention run`, `police-api retention run`).

Each service says what a file is (a school incident, a police incident), how to find the ones due, and
how to anonymise one; this module runs them the same way in both:
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.identity import Actor
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


class Due(Protocol):
    @property
    def record_type(self) -> StrEnum: ...
    @property
    def due_on(self) -> date: ...
    @property
    def action(self) -> StrEnum: ...


@dataclass(frozen=True)
class Files:
    """What one service's job works on."""

    audit_model: type[Any]
    audit_record_type: str
    # (session, today, tenant or None for all) -> the files due, each with its retention.
    due: Callable[[AsyncSession, date, str | None], Awaitable[list[tuple[Any, Due]]]]
    held: Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[set[uuid.UUID]]]
    active_hold: Callable[[AsyncSession, uuid.UUID], Awaitable[Any]]
    load: Callable[[AsyncSession, uuid.UUID], Awaitable[Any]]
    disposed: Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]
    anonymise: Callable[[AsyncSession, Any, Any, datetime], Awaitable[Any]]
    tenant_of: Callable[[Any], str]


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
    files: Files, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *, dry_run: bool, tenant: str | None = None
) -> list[Line]:
    """Every tenant's due files, or one tenant's."""
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS if tenant is None else tenant)
        due = await files.due(session, clock.now().date(), tenant)
        held = await files.held(session, [record.id for record, _ in due])
    if dry_run:
        lines = [_line(files, record, retention, _planned(retention, record.id in held)) for record, retention in due]
        await _audit_reads(files, sessionmaker, clock, lines)
        return lines
    lines = [await _dispose(files, sessionmaker, clock, record.id, retention) for record, retention in due]
    return [line for line in lines if line is not None]


def _planned(retention: Due, held: bool) -> Outcome:
    if held:
        return Outcome.held
    return Outcome.would_dispose if retention.action.value == ANONYMISE else Outcome.review


async def _dispose(
    files: Files, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, record_id: uuid.UUID, retention: Due
) -> Line | None:
    async with sessionmaker() as session:
        set_tenant(session, ALL_TENANTS)
        record = await files.load(session, record_id)
        tenant = files.tenant_of(record)
        # From here the session sees and writes this tenant's rows only.
        set_tenant(session, tenant)
        if await files.disposed(session, record.id):
            return None  # another run disposed of it since the listing
        if await files.active_hold(session, record.id) is not None:
            outcome, operation = Outcome.held, "retention.keep_held"
        elif retention.action.value != ANONYMISE:
            outcome, operation = Outcome.review, "retention.review_due"
        else:
            await files.anonymise(session, record, retention, clock.now())
            outcome, operation = Outcome.disposed, "retention.dispose"
        line = _line(files, record, retention, outcome)
        trail = AuditTrail(request_id=None, actor=job_actor(tenant))
        trail.record(operation, files.audit_record_type, record.id)
        await append_events(session, files.audit_model, trail, clock)
        await session.commit()
        return line


async def _audit_reads(files: Files, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, lines: list[Line]) -> None:
    by_tenant: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_tenant[line.tenant].append(line)
    for tenant, tenant_lines in by_tenant.items():
        async with sessionmaker() as session:
            set_tenant(session, tenant)
            trail = AuditTrail(request_id=None, actor=job_actor(tenant))
            for line in tenant_lines:
                trail.record("retention.dry_run", files.audit_record_type, line.id)
            await append_events(session, files.audit_model, trail, clock)
            await session.commit()


def _line(files: Files, record: Any, retention: Due, outcome: Outcome) -> Line:
    return Line(
        tenant=files.tenant_of(record),
        record_type=retention.record_type.value,
        id=str(record.id),
        reference=record.reference,
        due_on=retention.due_on.isoformat(),
        action=retention.action.value,
        outcome=outcome.value,
    )


async def erase_rows(session: AsyncSession, model: Any, condition: Any, values: dict[str, Any]) -> None:
    """Set `values` on every row of `model` matching `condition`, through the ORM: encrypted columns are
    sealed per row (their row id is part of each token, shared/encryption.py), which one bulk UPDATE cannot do."""
    for row in (await session.scalars(select(model).where(condition))).all():
        for name, value in values.items():
            setattr(row, name, value)
