from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.viewings import service
from services.school_api.viewings.schemas import ViewingCreate, ViewingOut, ViewingPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/image-viewings", tags=["image viewings"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ViewingOut, responses=problem_responses(404, 409))
async def record_image_viewing(incident_id: uuid.UUID, body: ViewingCreate, ctx: SchoolContext) -> ViewingOut:
    """Record that the DSL viewed an image (S-IMAGE). Any other role is refused with the rule id."""
    return ViewingOut.model_validate(await service.record_viewing(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=ViewingPage, responses=problem_responses(400, 404))
async def list_image_viewings(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ViewingPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_viewings(ctx, incident_id, cursor=cursor, limit=limit)
    return ViewingPage(items=[ViewingOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
