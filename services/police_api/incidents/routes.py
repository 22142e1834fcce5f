from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.police_api.access import PoliceContext
from services.police_api.incidents import service
from services.police_api.incidents.schemas import PoliceIncidentOut, PoliceIncidentPage
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from shared.concurrency import etag
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=PoliceIncidentPage, responses=problem_responses(400, 422))
async def list_incidents(
    ctx: PoliceContext,
    status_filter: Annotated[PoliceIncidentStatus | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> PoliceIncidentPage:
    rows, next_cursor = await service.list_incidents(ctx, status=status_filter, cursor=cursor, limit=limit)
    return PoliceIncidentPage(
        items=[PoliceIncidentOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor
    )


@router.get("/{incident_id}", response_model=PoliceIncidentOut, responses=problem_responses(404))
async def get_incident(incident_id: uuid.UUID, ctx: PoliceContext, response: Response) -> PoliceIncidentOut:
    incident = await service.get_incident(ctx, incident_id)
    response.headers["ETag"] = etag(incident.version)
    return PoliceIncidentOut.model_validate(incident, from_attributes=True)
