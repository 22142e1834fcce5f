"""Legal holds, an incident's retention status, and the disposal of a file that has fallen due.

The same in both services, each of which describes its own retention in an `IncidentRetention`
(services/<service>/retention/service.py). No FastAPI here: the routes (routes.py) and the job (job.py)
both call these functions.
"""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import Context
from shared.problems import Conflict
from shared.retention.schemas import HoldReason

HOLD = "legal_hold"
# Who-columns of a disposed file: staff identities are personal data too, and the audit chain keeps who did what.
DISPOSED_BY = "retention"
# A disposed file's holds keep their dates and roles; their reasons and who placed them go with the file.
_HOLD_ERASED = {"reason": "", "lift_reason": None, "placed_by": DISPOSED_BY, "lifted_by": None}
_CHUNK = 500


class Due(Protocol):
    """What a service's schedule (rules/retention.py) answers for one incident."""

    @property
    def record_type(self) -> StrEnum: ...
    @property
    def due_on(self) -> date: ...
    @property
    def action(self) -> StrEnum: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class IncidentRetention:
    """What one service's retention is made of; the functions below are the same for both."""

    incident_model: type[Any]
    hold_model: type[Any]
    disposal_model: type[Any]
    # The column of the incident, the hold and the disposal that names their tenant.
    tenant_column: str
    # The incident's record type in the audit trail; the operations on its retention are named after it.
    incident_record: str
    audit_model: type[Any]
    # The facts the schedule needs, for each incident of a batch: {incident id: facts}.
    facts_of: Callable[[AsyncSession, Sequence[Any]], Awaitable[dict[uuid.UUID, Any]]]
    # The schedule of rules/retention.py: (facts, today) -> when the file falls due and what then happens.
    schedule: Callable[[Any, date], Due]
    is_due: Callable[[Any, date], bool]
    # Erases the file's personal data and texts (its holds excepted, which dispose() erases), once its
    # disposal is recorded: (session, incident, now).
    erase: Callable[[AsyncSession, Any, datetime], Awaitable[None]]
    # The 409's detail when a hold is asked for on a file disposed of already, in the service's words.
    nothing_left_to_hold: str

    def tenant_of(self, row: Any) -> str:
        return getattr(row, self.tenant_column)

    async def retention_of(self, session: AsyncSession, incidents: Sequence[Any], today: date) -> dict[uuid.UUID, Due]:
        facts = await self.facts_of(session, incidents)
        return {incident.id: self.schedule(facts[incident.id], today) for incident in incidents}

    async def active_hold(self, session: AsyncSession, incident_id: uuid.UUID) -> Any:
        hold = self.hold_model
        return await session.scalar(select(hold).where(hold.incident_id == incident_id, hold.lifted_at.is_(None)))

    async def held_incidents(self, session: AsyncSession, incident_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        hold = self.hold_model
        held: set[uuid.UUID] = set()
        for start in range(0, len(incident_ids), _CHUNK):
            chunk = incident_ids[start : start + _CHUNK]
            held |= set(await session.scalars(select(hold.incident_id).where(hold.incident_id.in_(chunk), hold.lifted_at.is_(None))))
        return held

    async def is_disposed(self, session: AsyncSession, incident_id: uuid.UUID) -> bool:
        disposal = self.disposal_model
        return await session.scalar(select(disposal.id).where(disposal.incident_id == incident_id)) is not None

    async def retention_status(self, ctx: Context, incident: Any) -> tuple[Due, list[Any], Any | None]:
        """The file's retention under the schedule, every hold it has had, and its disposal if done."""
        due = (await self.retention_of(ctx.session, [incident], ctx.now.date()))[incident.id]
        hold = self.hold_model
        holds = list((await ctx.session.scalars(select(hold).where(hold.incident_id == incident.id).order_by(hold.placed_at))).all())
        for each in holds:
            ctx.audit.record("legal_hold.read", HOLD, each.id)
        disposal = await ctx.session.scalar(select(self.disposal_model).where(self.disposal_model.incident_id == incident.id))
        return due, holds, disposal

    async def place_hold(self, ctx: Context, incident: Any, data: HoldReason) -> Any:
        """A hold suspends disposal until it is lifted; one at a time, so lifting it is never ambiguous."""
        if await self.is_disposed(ctx.session, incident.id):
            raise Conflict(self.nothing_left_to_hold)
        if await self.active_hold(ctx.session, incident.id) is not None:
            raise Conflict("The incident is under a legal hold already; lift it before placing another.")
        hold = self.hold_model(
            id=uuid.uuid4(),
            incident_id=incident.id,
            reason=data.reason,
            placed_by=ctx.actor.subject,
            placed_by_role=ctx.actor.role,
            placed_at=ctx.now,
            **{self.tenant_column: self.tenant_of(incident)},
        )
        ctx.session.add(hold)
        await ctx.session.flush()
        ctx.audit.record("legal_hold.place", HOLD, hold.id)
        return hold

    async def lift_hold(self, ctx: Context, incident: Any, data: HoldReason) -> Any:
        hold = await self.active_hold(ctx.session, incident.id)
        if hold is None:
            raise Conflict("The incident is not under a legal hold.")
        hold.lifted_by = ctx.actor.subject
        hold.lifted_by_role = ctx.actor.role
        hold.lifted_at = ctx.now
        hold.lift_reason = data.reason
        await ctx.session.flush()
        ctx.audit.record("legal_hold.lift", HOLD, hold.id)
        return hold

    async def due_files(self, session: AsyncSession, today: date, tenant: str | None) -> list[tuple[Any, Due]]:
        """Every file not disposed of yet whose retention date has come, oldest due first; one tenant's, or
        every tenant's (None)."""
        incident = self.incident_model
        query = select(incident).where(incident.id.not_in(select(self.disposal_model.incident_id)))
        if tenant is not None:
            query = query.where(getattr(incident, self.tenant_column) == tenant)
        incidents = list((await session.scalars(query)).all())
        retention = await self.retention_of(session, incidents, today)
        due = [(row, retention[row.id]) for row in incidents if self.is_due(retention[row.id], today)]
        return sorted(due, key=lambda pair: (pair[1].due_on, pair[0].reference))

    async def load(self, session: AsyncSession, incident_id: uuid.UUID) -> Any:
        incident = await session.get(self.incident_model, incident_id)
        assert incident is not None  # files are anonymised, never deleted
        return incident

    async def dispose(self, session: AsyncSession, incident: Any, due: Due, now: datetime) -> Any:
        """Record the disposal, then erase the file's personal data and texts and keep its skeleton.
        Only a file whose action is to anonymise comes here (job.py). The audit chain is never touched
        (its triggers refuse it)."""
        disposal = self.disposal_model(
            id=uuid.uuid4(),
            incident_id=incident.id,
            reference=incident.reference,
            record_type=due.record_type,
            due_on=due.due_on,
            action=due.action,
            disposed_at=now,
            **{self.tenant_column: self.tenant_of(incident)},
        )
        session.add(disposal)
        # Written before the erasure, which may ask which files are disposed of (the police's nominal index).
        await session.flush()
        await erase_rows(session, self.hold_model, self.hold_model.incident_id == incident.id, _HOLD_ERASED)
        await self.erase(session, incident, now)
        await session.flush()
        return disposal


async def erase_rows(session: AsyncSession, model: Any, condition: Any, values: dict[str, Any]) -> None:
    """Set `values` on every row of `model` matching `condition`, through the ORM: encrypted columns are
    sealed per row (their row id is part of each token, shared/encryption.py), which one bulk UPDATE cannot do."""
    for row in (await session.scalars(select(model).where(condition))).all():
        for name, value in values.items():
            setattr(row, name, value)
