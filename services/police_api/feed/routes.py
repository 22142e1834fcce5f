from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.police_api.access import PoliceContext
from services.police_api.feed import service
from services.police_api.feed.schemas import StatusFeedPage
from shared.context import runtime_of
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

router = APIRouter(prefix="/status-changes", tags=["reports"])


@router.get("", response_model=StatusFeedPage, responses=problem_responses(400))
async def follow_status_changes(
    ctx: PoliceContext,
    request: Request,
    after: Annotated[str, Query(max_length=12, description="The `next_cursor` of the last page read; 0 for the start.")] = "0",
    wait: Annotated[
        float, Query(ge=0, le=service.MAX_WAIT_SECONDS, description="Seconds to hold the request open until a change comes (long poll).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> StatusFeedPage:
    """For a school client: its reports whose status changed after the cursor, each with its current status
    (what the school may know). With `wait`, answers as soon as a change comes, or empty when the wait ends."""
    position = service.parse_cursor(after)
    if wait > 0:
        await service.wait_for_changes(
            runtime_of(request), request.app.state.feed_waiters,
            tenant=ctx.actor.tenant, client_id=ctx.actor.subject, after=position, wait_seconds=wait,
        )
    return await service.changes_after(ctx, after=position, limit=limit)
