from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.reviews import service
from services.school_api.reviews.schemas import ReviewCreate, ReviewOut, ReviewPage
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(prefix="/incidents/{incident_id}/review", tags=["reviews"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReviewOut, responses=problem_responses(404, 409, 412, 428))
async def review_incident(
    incident_id: uuid.UUID,
    body: ReviewCreate,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> ReviewOut:
    """Review outcomes and procedures after the decision (S-REVIEW). Needs the incident's If-Match."""
    row, incident = await service.review(ctx, incident_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(incident.version)
    return ReviewOut.model_validate(row, from_attributes=True)


@router.get("", response_model=ReviewPage, responses=problem_responses(400, 404))
async def list_reviews(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ReviewPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_reviews(ctx, incident_id, cursor=cursor, limit=limit)
    return ReviewPage(items=[ReviewOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
