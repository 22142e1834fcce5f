from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.searches import service
from services.school_api.searches.schemas import SearchCreate, SearchOut
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/searches", tags=["searches"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SearchOut, responses=problem_responses(404, 409))
async def record_search(incident_id: uuid.UUID, body: SearchCreate, ctx: SchoolContext) -> SearchOut:
    """Record a device search; refused naming every unmet S-SEARCH condition (and S-CHILD-FIRST)."""
    return SearchOut.model_validate(await service.record_search(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=list[SearchOut], responses=problem_responses(404))
async def list_searches(incident_id: uuid.UUID, ctx: SchoolContext) -> list[SearchOut]:
    await incidents.get_incident(ctx, incident_id)
    return [SearchOut.model_validate(r, from_attributes=True) for r in await service.list_searches(ctx, incident_id)]
