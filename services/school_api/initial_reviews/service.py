"""Recording the DSL's initial review meeting (S-INITIAL-REVIEW); it writes its own action-log entry."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.incidents import service as incidents
from services.school_api.initial_reviews.models import InitialReview
from services.school_api.initial_reviews.schemas import InitialReviewCreate
from services.school_api.rules.steps import s_initial_review
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused

RECORD = "initial_review"


async def record_initial_review(ctx: Context, incident_id: uuid.UUID, data: InitialReviewCreate) -> InitialReview:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.initial_review.append")
    violations = s_initial_review([attendee.role for attendee in data.attendees], data.decided)
    if violations:
        raise RuleRefused("The initial review meeting cannot be recorded as sent.", violations=violations)
    row = InitialReview(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        held_at=data.held_at,
        attendees=[attendee.model_dump(mode="json") for attendee in data.attendees],
        decided=data.decided,
        recorded_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(row)
    actions.append(
        ctx, incident, ActionKind.initial_review_meeting, taken=True, justification=None,
        performed_by=ctx.actor.subject, occurred_at=data.held_at,
    )
    await ctx.session.flush()
    ctx.audit.record("initial_review.create", RECORD, row.id)
    return row


async def list_initial_reviews(ctx: Context, incident_id: uuid.UUID) -> list[InitialReview]:
    query = select(InitialReview).where(InitialReview.incident_id == incident_id).order_by(InitialReview.held_at, InitialReview.id)
    rows = list((await ctx.session.scalars(query)).all())
    for row in rows:
        ctx.audit.record("initial_review.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(InitialReview.recorded_at, InitialReview.id, newest_first=False)


async def page_initial_reviews(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[InitialReview], str | None]:
    query = select(InitialReview).where(InitialReview.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("initial_review.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
