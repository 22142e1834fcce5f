"""Opening, reading and listing incidents. No FastAPI here; the caller's Context says who and when."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.school_api.incidents.models import Incident, IncidentCounter
from services.school_api.incidents.schemas import IncidentCreate
from services.school_api.incidents.vocabulary import IncidentStatus
from shared.context import Context
from shared.pagination import decode_cursor, encode_cursor
from shared.problems import NotFound

RECORD = "incident"


async def open_incident(ctx: Context, data: IncidentCreate) -> Incident:
    incident = Incident(
        id=uuid.uuid4(),
        school_urn=ctx.actor.tenant,
        reference=await _next_reference(ctx),
        status=IncidentStatus.open,
        disclosed_at=data.disclosed_at,
        disclosure_source=data.disclosure_source,
        image_nature=data.image_nature,
        narrative=data.narrative,
        created_by=ctx.actor.subject,
        created_by_role=ctx.actor.role,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(incident)
    await ctx.session.flush()
    ctx.audit.record("incident.create", RECORD, incident.id)
    return incident


async def _next_reference(ctx: Context) -> str:
    """`URN-YEAR-NNNN`, numbered per school and year without gaps from concurrent openings."""
    year = ctx.now.year
    dialect = ctx.session.bind.dialect.name if ctx.session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(IncidentCounter)
        .values(school_urn=ctx.actor.tenant, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[IncidentCounter.school_urn, IncidentCounter.year],
            set_={"last_number": IncidentCounter.last_number + 1},
        )
        .returning(IncidentCounter.last_number)
    )
    number = (await ctx.session.execute(statement)).scalar_one()
    return f"{ctx.actor.tenant}-{year}-{number:04d}"


async def get_incident(ctx: Context, incident_id: uuid.UUID, *, operation: str = "incident.read") -> Incident:
    # The session's tenant guard adds `school_urn = caller's URN`: another school's id is simply not found.
    incident = await ctx.session.scalar(select(Incident).where(Incident.id == incident_id))
    if incident is None:
        raise NotFound("No such incident in your school.")
    ctx.audit.record(operation, RECORD, incident.id)
    return incident


async def list_incidents(
    ctx: Context,
    *,
    status: IncidentStatus | None,
    disclosed_from: datetime | None,
    disclosed_to: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Incident], str | None]:
    query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit + 1)
    if status is not None:
        query = query.where(Incident.status == status)
    if disclosed_from is not None:
        query = query.where(Incident.disclosed_at >= disclosed_from)
    if disclosed_to is not None:
        query = query.where(Incident.disclosed_at < disclosed_to)
    if cursor is not None:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Incident.created_at < created_at, and_(Incident.created_at == created_at, Incident.id < last_id))
        )
    rows = list((await ctx.session.scalars(query)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    for row in rows:
        ctx.audit.record("incident.list", RECORD, row.id)
    return rows, next_cursor
