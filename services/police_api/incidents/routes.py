from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select

from services.police_api.access import PoliceContext
from services.police_api.crimes import service as crimes
from services.police_api.crimes.models import Crime
from services.police_api.crimes.vocabulary import CrimeDecision
from services.police_api.incidents import service
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.schemas import (
    NoCrimeDecisionIn,
    PoliceIncidentCreate,
    PoliceIncidentOut,
    PoliceIncidentPage,
    PoliceIncidentUpdate,
)
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.outcomes import service as outcomes
from services.police_api.rules.crime import time_left
from shared.concurrency import etag, expected_version
from shared.context import Context
from shared.http import IfMatch, problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

router = APIRouter(prefix="/incidents", tags=["incidents"])


async def incident_out(ctx: Context, incident: PoliceIncident, response: Response | None = None) -> PoliceIncidentOut:
    count = await ctx.session.scalar(select(func.count()).select_from(Crime).where(Crime.incident_id == incident.id)) or 0
    decision = crimes.crime_decision(incident, count)
    out = PoliceIncidentOut.model_validate(incident, from_attributes=True)
    out.crime_decision = decision
    if decision is CrimeDecision.pending and incident.crime_deadline_at is not None:
        out.crime_time_left_seconds = int(time_left(ctx.now, incident.crime_deadline_at).total_seconds())
    if response is not None:
        response.headers["ETag"] = etag(incident.version)
    return out


@router.get("", response_model=PoliceIncidentPage, responses=problem_responses(400, 422))
async def list_incidents(
    ctx: PoliceContext,
    status_filter: Annotated[PoliceIncidentStatus | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> PoliceIncidentPage:
    """The force's incidents, newest first (CID: those routed to CID; PPU: those with a child it was told of)."""
    rows, next_cursor = await service.list_incidents(ctx, status=status_filter, cursor=cursor, limit=limit)
    return PoliceIncidentPage(
        items=[PoliceIncidentOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor
    )


@router.post("", status_code=201, response_model=PoliceIncidentOut, responses=problem_responses(422))
async def create_incident(body: PoliceIncidentCreate, ctx: PoliceContext, response: Response) -> PoliceIncidentOut:
    """Open an incident for a report taken by phone (P-INCIDENT); never School Crime Beat (P-101)."""
    incident = await service.open_incident(ctx, body.classification)
    response.headers["Location"] = f"/incidents/{incident.id}"
    return await incident_out(ctx, incident, response)


@router.get("/{incident_id}", response_model=PoliceIncidentOut, responses=problem_responses(404))
async def get_incident(incident_id: uuid.UUID, ctx: PoliceContext, response: Response) -> PoliceIncidentOut:
    """The incident with its NCRS deadline and time left, crime decision and route."""
    incident = await service.get_incident(ctx, incident_id)
    return await incident_out(ctx, incident, response)


@router.patch("/{incident_id}", response_model=PoliceIncidentOut, responses=problem_responses(404, 409, 412, 428))
async def update_incident(
    incident_id: uuid.UUID,
    body: PoliceIncidentUpdate,
    ctx: PoliceContext,
    response: Response,
    if_match: IfMatch,
) -> PoliceIncidentOut:
    """Change the classification; School Crime Beat is refused (P-101). Needs If-Match."""
    incident = await service.change_classification(ctx, incident_id, body.classification, expected_version(if_match))
    return await incident_out(ctx, incident, response)


@router.post(
    "/{incident_id}/no-crime-decision", response_model=PoliceIncidentOut, responses=problem_responses(404, 409, 412, 428)
)
async def record_no_crime_decision(
    incident_id: uuid.UUID,
    body: NoCrimeDecisionIn,
    ctx: PoliceContext,
    response: Response,
    if_match: IfMatch,
) -> PoliceIncidentOut:
    """P-CRIME: the decision not to record a crime, with its reason. Needs If-Match."""
    incident = await crimes.record_no_crime(ctx, incident_id, body.reason, expected_version(if_match))
    return await incident_out(ctx, incident, response)


@router.post("/{incident_id}/finalise", response_model=PoliceIncidentOut, responses=problem_responses(404, 409, 412, 428))
async def finalise_incident(
    incident_id: uuid.UUID, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> PoliceIncidentOut:
    """Finalise: refused while any child's PPU notification is unacknowledged (P-PPU) or either route
    is incomplete (P-INCIDENT). Needs If-Match."""
    incident = await outcomes.finalise_incident(ctx, incident_id, expected_version(if_match))
    return await incident_out(ctx, incident, response)
