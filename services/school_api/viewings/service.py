"""Recording that an image was viewed: only the DSL, with the head's agreement and a written reason (S-IMAGE)."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.access import DSL
from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.authorisations import service as authorisations
from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from services.school_api.rules.child_first import s_child_first
from services.school_api.rules.image import ImageViewing as ViewingRequest
from services.school_api.rules.image import s_image
from services.school_api.viewings.models import ImageViewing
from services.school_api.viewings.schemas import ViewingCreate
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused

RECORD = "image_viewing"


async def record_viewing(ctx: Context, incident_id: uuid.UUID, data: ViewingCreate) -> ImageViewing:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.image_viewing.append")
    if data.device_id is not None:
        await devices.get_device(ctx, incident.id, data.device_id)
    authorisation = await authorisations.find(ctx, incident.id, data.authorisation_id, AuthorisationKind.image_viewing, data.device_id)
    violations = s_image(
        ViewingRequest(
            viewer_is_dsl=ctx.actor.role in DSL,
            headteacher_agreed=authorisation is not None,
            written_reason=data.reason,
        )
    ) + s_child_first(data.distress_judgement, activity="viewing")
    if violations or authorisation is None:
        raise RuleRefused("Recording an image viewing is refused.", violations=violations)
    viewing = ImageViewing(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        device_id=data.device_id,
        authorisation_id=authorisation.id,
        reason=data.reason or "",
        distress_judgement=data.distress_judgement or "",
        viewed_at=data.viewed_at,
        viewed_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(viewing)
    actions.append(
        ctx, incident, ActionKind.image_viewed, taken=True, justification=data.reason,
        performed_by=ctx.actor.subject, occurred_at=data.viewed_at,
    )
    await ctx.session.flush()
    ctx.audit.record("image_viewing.create", RECORD, viewing.id)
    return viewing


async def list_viewings(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[ImageViewing]:
    query = select(ImageViewing).where(ImageViewing.incident_id == incident_id).order_by(ImageViewing.recorded_at, ImageViewing.id)
    rows = list((await ctx.session.scalars(query)).all())
    if audit:
        for row in rows:
            ctx.audit.record("image_viewing.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(ImageViewing.recorded_at, ImageViewing.id, newest_first=False)


async def page_viewings(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[ImageViewing], str | None]:
    query = select(ImageViewing).where(ImageViewing.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("image_viewing.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
