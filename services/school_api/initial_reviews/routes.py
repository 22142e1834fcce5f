from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.initial_reviews import service
from services.school_api.initial_reviews.schemas import InitialReviewCreate, InitialReviewOut, InitialReviewPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/initial-reviews", tags=["initial reviews"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InitialReviewOut, responses=problem_responses(404, 409))
async def record_initial_review(incident_id: uuid.UUID, body: InitialReviewCreate, ctx: SchoolContext) -> InitialReviewOut:
    """Record the DSL's initial review meeting: who attended and what was decided (S-INITIAL-REVIEW)."""
    return InitialReviewOut.model_validate(await service.record_initial_review(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=InitialReviewPage, responses=problem_responses(400, 404))
async def list_initial_reviews(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> InitialReviewPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_initial_reviews(ctx, incident_id, cursor=cursor, limit=limit)
    return InitialReviewPage(items=[InitialReviewOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
