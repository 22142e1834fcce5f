from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.authorisations import service
from services.school_api.authorisations.schemas import AuthorisationCreate, AuthorisationOut
from services.school_api.incidents import service as incidents
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/authorisations", tags=["authorisations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AuthorisationOut, responses=problem_responses(404, 409))
async def authorise(incident_id: uuid.UUID, body: AuthorisationCreate, ctx: SchoolContext) -> AuthorisationOut:
    """The headteacher authorises a device search (S-SEARCH) or agrees to the DSL viewing an image (S-IMAGE)."""
    return AuthorisationOut.model_validate(await service.authorise(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=list[AuthorisationOut], responses=problem_responses(404))
async def list_authorisations(incident_id: uuid.UUID, ctx: SchoolContext) -> list[AuthorisationOut]:
    await incidents.get_incident(ctx, incident_id)
    return [AuthorisationOut.model_validate(r, from_attributes=True) for r in await service.list_authorisations(ctx, incident_id)]
