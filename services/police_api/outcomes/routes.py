from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.police_api.access import PoliceContext
from services.police_api.crimes.routes import crime_out
from services.police_api.crimes.schemas import CrimeOut
from services.police_api.outcomes import service
from services.police_api.outcomes.schemas import NoticeOut, NoticePage, OutcomeIn
from shared.concurrency import expected_version
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(tags=["outcomes"])


@router.post("/crimes/{crime_id}/outcome-proposal", response_model=CrimeOut, responses=problem_responses(404, 409, 412, 428))
async def propose_outcome(
    crime_id: uuid.UUID, body: OutcomeIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> CrimeOut:
    """Propose an outcome; Outcome 21 and 22 are refused naming every unmet condition (P-OUTCOME21, P-OUTCOME22)."""
    crime = await service.propose_outcome(ctx, crime_id, body.code, body.public_interest_rationale, expected_version(if_match))
    return await crime_out(ctx, crime, response)


@router.post("/crimes/{crime_id}/outcome", response_model=CrimeOut, responses=problem_responses(404, 409, 412, 428))
async def finalise_outcome(
    crime_id: uuid.UUID, body: OutcomeIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> CrimeOut:
    """Finalise the crime with its outcome (supervisor); the same conditions as the proposal, checked again."""
    crime = await service.finalise_outcome(ctx, crime_id, body.code, body.public_interest_rationale, expected_version(if_match))
    return await crime_out(ctx, crime, response)


@router.get("/crimes/{crime_id}/notices", response_model=NoticePage, responses=problem_responses(400, 404))
async def get_young_person_notices(crime_id: uuid.UUID, ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE) -> NoticePage:
    """P-NOTICE: the notice text for each young person on a crime finalised with Outcome 21."""
    rows, next_cursor = await service.notices(ctx, crime_id, cursor=cursor, limit=limit)
    return NoticePage(items=[NoticeOut(**notice.__dict__) for notice in rows], next_cursor=next_cursor)
