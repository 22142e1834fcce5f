from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from services.school_api.access import SchoolContext, sees_narratives
from services.school_api.incidents import service
from services.school_api.incidents.models import Incident
from services.school_api.incidents.schemas import (
    CloseRequest,
    IncidentCreate,
    IncidentDetail,
    IncidentPage,
    IncidentReceipt,
    IncidentSummary,
    IncidentUpdate,
    ObservationCreate,
    ObservationOut,
    ObservationPage,
    ObservationReceipt,
)
from services.school_api.incidents.vocabulary import IncidentStatus
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses
from shared.identity import Actor
from shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents", tags=["incidents"])

IncidentView = IncidentDetail | IncidentSummary | IncidentReceipt


def shape(incident: Incident, actor: Actor) -> IncidentView:
    """Staff see reference and status; the MIS client a summary; safeguarding readers everything."""
    if actor.role == service.STAFF:
        return IncidentReceipt.model_validate(incident, from_attributes=True)
    if sees_narratives(actor):
        return IncidentDetail.model_validate(incident, from_attributes=True)
    return IncidentSummary.model_validate(incident, from_attributes=True)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentView, responses=problem_responses(422))
async def create_incident(body: IncidentCreate, ctx: SchoolContext, response: Response) -> IncidentView:
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
    reference: Annotated[str | None, Query(max_length=20, description="the incident's reference, exactly (`100001-2026-0007`)")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> IncidentPage:
    rows, next_cursor = await service.list_incidents(
        ctx, status=status_filter, disclosed_from=disclosed_from, disclosed_to=disclosed_to, cursor=cursor, limit=limit,
        reference=reference,
    )
    return IncidentPage(
        items=[IncidentSummary.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor
    )


@router.get("/{incident_id}", response_model=IncidentView, responses=problem_responses(404))
async def get_incident(incident_id: uuid.UUID, ctx: SchoolContext, response: Response) -> IncidentView:
    """One incident, shaped by role. Staff reach only incidents they opened, and see reference and status."""
    incident = await service.get_incident(ctx, incident_id)
    response.headers["ETag"] = etag(incident.version)
    return shape(incident, ctx.actor)


@router.patch("/{incident_id}", response_model=IncidentDetail, responses=problem_responses(404, 409, 412, 428))
async def update_incident(
    incident_id: uuid.UUID,
    body: IncidentUpdate,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> IncidentDetail:
    """Complete or correct the disclosure answers (APPX8 step 1). Needs If-Match."""
    incident = await service.update_incident(ctx, incident_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(incident.version)
    return IncidentDetail.model_validate(incident, from_attributes=True)


@router.post(
    "/{incident_id}/observations",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationReceipt,
    responses=problem_responses(404, 409),
)
async def add_observation(incident_id: uuid.UUID, body: ObservationCreate, ctx: SchoolContext) -> ObservationReceipt:
    """Add what a member of staff saw or heard. Staff may add to incidents they opened, never read them back."""
    observation = await service.add_observation(ctx, incident_id, body)
    return ObservationReceipt.model_validate(observation, from_attributes=True)


@router.get("/{incident_id}/observations", response_model=ObservationPage, responses=problem_responses(400, 404))
async def list_observations(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ObservationPage:
    """What staff saw or heard, for the safeguarding team (staff add observations, never read them back)."""
    await service.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_observations(ctx, incident_id, cursor=cursor, limit=limit)
    return ObservationPage(items=[ObservationOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.post("/{incident_id}/close", response_model=IncidentDetail, responses=problem_responses(404, 409, 412, 428))
async def close_incident(
    incident_id: uuid.UUID,
    body: CloseRequest,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> IncidentDetail:
    """Close a reviewed incident (S-REVIEW: a decision and a review first; S-DSL: senior management informed)."""
    incident = await service.close_incident(ctx, incident_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(incident.version)
    return IncidentDetail.model_validate(incident, from_attributes=True)
