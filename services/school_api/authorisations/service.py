"""The headteacher's agreements. Only the headteacher role reaches `authorise` (access policy)."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.authorisations.models import Authorisation
from services.school_api.authorisations.schemas import AuthorisationCreate
from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page

RECORD = "authorisation"


async def authorise(ctx: Context, incident_id: uuid.UUID, data: AuthorisationCreate) -> Authorisation:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.authorisation.append")
    if data.device_id is not None:
        await devices.get_device(ctx, incident.id, data.device_id)
    authorisation = Authorisation(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        kind=data.kind,
        device_id=data.device_id,
        authorised_person=data.authorised_person,
        reason=data.reason,
        authorised_by=ctx.actor.subject,
        authorised_at=ctx.now,
    )
    ctx.session.add(authorisation)
    await ctx.session.flush()
    ctx.audit.record("authorisation.create", RECORD, authorisation.id)
    return authorisation


async def find(
    ctx: Context, incident_id: uuid.UUID, authorisation_id: uuid.UUID | None, kind: AuthorisationKind, device_id: uuid.UUID | None
) -> Authorisation | None:
    """The authorisation if it exists on this incident, is of this kind, and covers this device (or any)."""
    if authorisation_id is None:
        return None
    row = await ctx.session.scalar(
        select(Authorisation).where(Authorisation.id == authorisation_id, Authorisation.incident_id == incident_id)
    )
    if row is None or row.kind is not kind or (row.device_id is not None and row.device_id != device_id):
        return None
    ctx.audit.record("authorisation.read", RECORD, row.id)
    return row


async def list_authorisations(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[Authorisation]:
    query = select(Authorisation).where(Authorisation.incident_id == incident_id).order_by(Authorisation.authorised_at, Authorisation.id)
    rows = list((await ctx.session.scalars(query)).all())
    if audit:
        for row in rows:
            ctx.audit.record("authorisation.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(Authorisation.authorised_at, Authorisation.id, newest_first=False)


async def page_authorisations(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[Authorisation], str | None]:
    query = select(Authorisation).where(Authorisation.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("authorisation.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
