from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime

from services.police_api.access import PoliceContext
from services.police_api.compliance import service
from services.police_api.compliance.schemas import LateCrimeOut, LateCrimePage, UndecidedOut, UndecidedPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/compliance", tags=["compliance"])


@router.get("/crime-recording/late-crimes", response_model=LateCrimePage, responses=problem_responses(400, 422))
async def list_late_crimes(
    ctx: PoliceContext,
    reported_from: AwareDatetime | None = None,
    reported_to: AwareDatetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> LateCrimePage:
    """NCRS (P-CRIME): crimes recorded after their 24-hour deadline, latest recorded first; `reported_from`
    (inclusive) and `reported_to` (exclusive) limit it to reports received in that window."""
    rows, next_cursor = await service.late_crimes(ctx, reported_from=reported_from, reported_to=reported_to, cursor=cursor, limit=limit)
    return LateCrimePage(items=[LateCrimeOut(**item.__dict__) for item in rows], next_cursor=next_cursor)


@router.get("/crime-recording/undecided", response_model=UndecidedPage, responses=problem_responses(400, 422))
async def list_undecided_incidents(
    ctx: PoliceContext,
    reported_from: AwareDatetime | None = None,
    reported_to: AwareDatetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> UndecidedPage:
    """NCRS (P-CRIME): incidents without a crime decision (no crime, and no decision not to record one),
    most overdue first; the same window as the late crimes."""
    rows, next_cursor = await service.undecided(ctx, reported_from=reported_from, reported_to=reported_to, cursor=cursor, limit=limit)
    return UndecidedPage(items=[UndecidedOut(**item.__dict__) for item in rows], next_cursor=next_cursor)
