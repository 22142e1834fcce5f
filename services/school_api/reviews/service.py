"""Reviewing outcomes and procedures (S-REVIEW). A review follows a decision; closing follows a review."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.reviews.models import Review
from services.school_api.reviews.schemas import ReviewCreate
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page

RECORD = "review"


async def review(ctx: Context, incident_id: uuid.UUID, data: ReviewCreate, expected_version: int) -> tuple[Review, Incident]:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.review")
    check_version(incident.version, expected_version)
    incidents.transition(ctx, incident, IncidentStatus.reviewed)
    row = Review(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        outcome=data.outcome,
        what_worked=data.what_worked,
        procedure_changes=data.procedure_changes,
        reviewed_by=ctx.actor.subject,
        reviewed_at=ctx.now,
    )
    ctx.session.add(row)
    actions.append(ctx, incident, ActionKind.review_held, taken=True, justification=None, performed_by=ctx.actor.subject, occurred_at=ctx.now)
    await ctx.session.flush()
    ctx.audit.record("review.create", RECORD, row.id)
    return row, incident


async def list_reviews(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[Review]:
    rows = list((await ctx.session.scalars(select(Review).where(Review.incident_id == incident_id).order_by(Review.reviewed_at))).all())
    if audit:
        for row in rows:
            ctx.audit.record("review.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(Review.reviewed_at, Review.id, newest_first=False)


async def page_reviews(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[Review], str | None]:
    query = select(Review).where(Review.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("review.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
