from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.police_api.access import PoliceContext
from services.police_api.feed import service
from services.police_api.feed.schemas import StatusFeedPage
from shared.context import runtime_of
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/status-changes", tags=["reports"])


@router.get("", response_model=StatusFeedPage, responses=problem_responses(400))
async def follow_status_changes(
    ctx: PoliceContext,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    wait: Annotated[
        float, Query(ge=0, le=service.MAX_WAIT_SECONDS, description="Seconds to hold the request open until a change comes (long poll).")
    ] = 0,
) -> StatusFeedPage:
    """For a school client: its reports whose status changed after the cursor (a `next_cursor`, or the last
    item's `position`; none for the start), each with its current status (what the school may know). With
    `wait`, answers as soon as a change comes, or with an empty page when the wait ends."""
    position = service.parse_cursor(cursor)
    if wait > 0:
        still_there = await service.wait_for_changes(
            runtime_of(request), request.app.state.feed_waiters,
            tenant=ctx.actor.tenant, client_id=ctx.actor.subject, after=position, wait_seconds=wait,
            client_gone=_hung_up(request),
        )
        if not still_there:
            return StatusFeedPage(items=[], next_cursor=None)  # sent to nobody: nothing read, nothing audited
    return await service.changes_after(ctx, after=position, limit=limit)


async def _hung_up(request: Request) -> None:
    """Completes when the caller disconnects. A GET has no body, so the first message is the empty request
    and the next one comes only when the connection closes."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
