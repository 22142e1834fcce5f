from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from services.school_api.access import SchoolContext, sees_narratives
from services.school_api.incidents import service
from services.school_api.incidents.models import Incident
from services.school_api.incidents.schemas import IncidentCreate, IncidentDetail, IncidentPage, IncidentSummary
from services.school_api.incidents.vocabulary import IncidentStatus
from shared.concurrency import etag
from shared.http import problem_responses
from shared.identity import Actor
from shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

router = APIRouter(prefix="/incidents", tags=["incidents"])


def shape(incident: Incident, actor: Actor) -> IncidentDetail | IncidentSummary:
    if sees_narratives(actor):
        return IncidentDetail.model_validate(incident, from_attributes=True)
    return IncidentSummary.model_validate(incident, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IncidentDetail | IncidentSummary,
    responses=problem_responses(422),
)
async def create_incident(body: IncidentCreate, ctx: SchoolContext, response: Response) -> IncidentDetail | IncidentSummary:
    """Open an incident from a disclosure (APPX8 step 1). Any member of staff may; the DSL is told."""
    incident = await service.open_incident(ctx, body)
    response.headers["ETag"] = etag(incident.version)
    response.headers["Location"] = f"/incidents/{incident.id}"
    return shape(incident, ctx.actor)


@router.get("", response_model=IncidentPage, responses=problem_responses(400, 422))
async def list_incidents(
    ctx: SchoolContext,
    status_filter: Annotated[IncidentStatus | None, Query(alias="status")] = None,
    disclosed_from: AwareDatetime | None = None,
    disclosed_to: AwareDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> IncidentPage:
    rows, next_cursor = await service.list_incidents(
        ctx, status=status_filter, disclosed_from=disclosed_from, disclosed_to=disclosed_to, cursor=cursor, limit=limit
    )
    return IncidentPage(
        items=[IncidentSummary.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor
    )


@router.get("/{incident_id}", response_model=IncidentDetail | IncidentSummary, responses=problem_responses(404))
async def get_incident(incident_id: uuid.UUID, ctx: SchoolContext, response: Response) -> IncidentDetail | IncidentSummary:
    incident = await service.get_incident(ctx, incident_id)
    response.headers["ETag"] = etag(incident.version)
    return shape(incident, ctx.actor)
