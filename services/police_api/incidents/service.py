"""Police incidents: one is opened for every school report (P-INCIDENT)."""
from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from shared.context import Context
from shared.pagination import decode_cursor, encode_cursor
from shared.problems import NotFound

RECORD = "police_incident"


async def open_incident(ctx: Context, classification: IncidentClassification) -> PoliceIncident:
    incident = PoliceIncident(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        reference=await _next_reference(ctx),
        classification=classification,
        status=PoliceIncidentStatus.open,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(incident)
    await ctx.session.flush()
    ctx.audit.record("police_incident.create", RECORD, incident.id)
    return incident


async def _next_reference(ctx: Context) -> str:
    year = ctx.now.year
    dialect = ctx.session.bind.dialect.name if ctx.session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ForceCounter)
        .values(force_code=ctx.actor.tenant, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[ForceCounter.force_code, ForceCounter.year],
            set_={"last_number": ForceCounter.last_number + 1},
        )
        .returning(ForceCounter.last_number)
    )
    number = (await ctx.session.execute(statement)).scalar_one()
    return f"{ctx.actor.tenant}-{year}-{number:06d}"


async def get_incident(ctx: Context, incident_id: uuid.UUID, *, operation: str = "police_incident.read") -> PoliceIncident:
    incident = await ctx.session.scalar(select(PoliceIncident).where(PoliceIncident.id == incident_id))
    if incident is None:
        raise NotFound("No such incident in your force.")
    ctx.audit.record(operation, RECORD, incident.id)
    return incident


async def list_incidents(
    ctx: Context, *, status: PoliceIncidentStatus | None, cursor: str | None, limit: int
) -> tuple[list[PoliceIncident], str | None]:
    query = select(PoliceIncident).order_by(PoliceIncident.created_at.desc(), PoliceIncident.id.desc()).limit(limit + 1)
    if status is not None:
        query = query.where(PoliceIncident.status == status)
    if cursor is not None:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                PoliceIncident.created_at < created_at,
                and_(PoliceIncident.created_at == created_at, PoliceIncident.id < last_id),
            )
        )
    rows = list((await ctx.session.scalars(query)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    for row in rows:
        ctx.audit.record("police_incident.list", RECORD, row.id)
    return rows, next_cursor
