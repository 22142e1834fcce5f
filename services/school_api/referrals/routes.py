from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.referrals import service
from services.school_api.referrals.schemas import ReferralOut, ReferralPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(tags=["referrals"])


@router.get("/incidents/{incident_id}/referrals", response_model=ReferralPage, responses=problem_responses(400, 404))
async def list_referrals(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ReferralPage:
    """Police referrals of an incident with their delivery state and the police's latest status."""
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_referrals(ctx, incident_id, cursor=cursor, limit=limit)
    return ReferralPage(items=[ReferralOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.get("/referrals/{referral_id}", response_model=ReferralOut, responses=problem_responses(404))
async def get_referral(referral_id: uuid.UUID, ctx: SchoolContext) -> ReferralOut:
    return ReferralOut.model_validate(await service.get_referral(ctx, referral_id), from_attributes=True)
