from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.school_api.access import SchoolContext
from services.school_api.decisions import service
from services.school_api.decisions.schemas import DecisionCreate, DecisionOut
from services.school_api.incidents import service as incidents
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses

router = APIRouter(tags=["decisions"])


@router.post(
    "/incidents/{incident_id}/decision",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def decide(
    incident_id: uuid.UUID,
    body: DecisionCreate,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> DecisionOut:
    """Refer to the police, to children's social care, or manage in school (S-POLICE, S-PARENTS, S-DSL).
    Deciding to refer to the police queues the police referral in the same transaction."""
    decision, referral, incident = await service.decide(ctx, incident_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(incident.version)
    out = DecisionOut.model_validate(decision, from_attributes=True)
    out.police_referral_id = referral.id if referral else None
    return out


@router.get("/incidents/{incident_id}/decision", response_model=DecisionOut, responses=problem_responses(404))
async def get_decision(incident_id: uuid.UUID, ctx: SchoolContext) -> DecisionOut:
    await incidents.get_incident(ctx, incident_id)
    decision, referral_id = await service.get_decision(ctx, incident_id)
    out = DecisionOut.model_validate(decision, from_attributes=True)
    out.police_referral_id = referral_id
    return out
