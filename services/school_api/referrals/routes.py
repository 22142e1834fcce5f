from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.referrals import service
from services.school_api.referrals.schemas import ReferralOut
from shared.http import problem_responses

router = APIRouter(tags=["referrals"])


@router.get("/incidents/{incident_id}/referrals", response_model=list[ReferralOut], responses=problem_responses(404))
async def list_referrals(incident_id: uuid.UUID, ctx: SchoolContext) -> list[ReferralOut]:
    """Police referrals of an incident with their delivery state and the police's latest status."""
    await incidents.get_incident(ctx, incident_id)
    return [ReferralOut.model_validate(row, from_attributes=True) for row in await service.list_referrals(ctx, incident_id)]


@router.get("/referrals/{referral_id}", response_model=ReferralOut, responses=problem_responses(404))
async def get_referral(referral_id: uuid.UUID, ctx: SchoolContext) -> ReferralOut:
    return ReferralOut.model_validate(await service.get_referral(ctx, referral_id), from_attributes=True)
