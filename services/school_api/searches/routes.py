from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.searches import service
from services.school_api.searches.schemas import SearchCreate, SearchOut, SearchPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/searches", tags=["searches"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SearchOut, responses=problem_responses(404, 409))
async def record_search(incident_id: uuid.UUID, body: SearchCreate, ctx: SchoolContext) -> SearchOut:
    """Record a device search; refused naming every unmet S-SEARCH condition (and S-CHILD-FIRST)."""
    return SearchOut.model_validate(await service.record_search(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=SearchPage, responses=problem_responses(400, 404))
async def list_searches(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> SearchPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_searches(ctx, incident_id, cursor=cursor, limit=limit)
    return SearchPage(items=[SearchOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
