from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.authorisations import service
from services.school_api.authorisations.schemas import AuthorisationCreate, AuthorisationOut, AuthorisationPage
from services.school_api.incidents import service as incidents
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/authorisations", tags=["authorisations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AuthorisationOut, responses=problem_responses(404, 409))
async def authorise(incident_id: uuid.UUID, body: AuthorisationCreate, ctx: SchoolContext) -> AuthorisationOut:
    """The headteacher authorises a device search (S-SEARCH) or agrees to the DSL viewing an image (S-IMAGE)."""
    return AuthorisationOut.model_validate(await service.authorise(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=AuthorisationPage, responses=problem_responses(400, 404))
async def list_authorisations(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> AuthorisationPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_authorisations(ctx, incident_id, cursor=cursor, limit=limit)
    return AuthorisationPage(items=[AuthorisationOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
