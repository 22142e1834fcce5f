from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.police_api.access import PoliceContext
from services.police_api.crimes.routes import crime_out
from services.police_api.crimes.schemas import CrimeOut
from services.police_api.outcomes import service
from services.police_api.outcomes.schemas import NoticeGivenIn, NoticeOut, NoticePage, OutcomeIn
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
    return NoticePage(items=[notice_out(notice) for notice in rows], next_cursor=next_cursor)


def notice_out(notice: service.Notice) -> NoticeOut:
    given = notice.given
    return NoticeOut(
        person_id=notice.person_id,
        role=notice.role,
        offence_code=notice.offence_code,
        text=notice.text,
        given_at=given.given_at if given else None,
        method=given.method if given else None,
        given_by=given.given_by if given else None,
    )


@router.post("/crimes/{crime_id}/notices", status_code=201, response_model=NoticeOut, responses=problem_responses(404, 409, 422))
async def record_notice_given(crime_id: uuid.UUID, body: NoticeGivenIn, ctx: PoliceContext) -> NoticeOut:
    """P-NOTICE: record when and how the notice was given to one young person on the crime."""
    return notice_out(await service.record_notice_given(ctx, crime_id, person_id=body.person_id, given_at=body.given_at, method=body.method))
