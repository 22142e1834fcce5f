from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.viewings import service
from services.school_api.viewings.schemas import ViewingCreate, ViewingOut
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/image-viewings", tags=["image viewings"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ViewingOut, responses=problem_responses(404, 409))
async def record_image_viewing(incident_id: uuid.UUID, body: ViewingCreate, ctx: SchoolContext) -> ViewingOut:
    """Record that the DSL viewed an image (S-IMAGE). Any other role is refused with the rule id."""
    return ViewingOut.model_validate(await service.record_viewing(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=list[ViewingOut], responses=problem_responses(404))
async def list_image_viewings(incident_id: uuid.UUID, ctx: SchoolContext) -> list[ViewingOut]:
    await incidents.get_incident(ctx, incident_id)
    return [ViewingOut.model_validate(r, from_attributes=True) for r in await service.list_viewings(ctx, incident_id)]
