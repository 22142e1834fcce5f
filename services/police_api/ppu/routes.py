from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from services.police_api.access import PoliceContext
from services.police_api.incidents import service as incidents
from services.police_api.ppu import service
from services.police_api.ppu.models import PPUNotification
from services.police_api.ppu.schemas import PPUNotificationOut, PPUNotificationPage, PPUUpdateIn, PPUUpdateOut
from shared.concurrency import etag, expected_version
from shared.context import Context
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(tags=["ppu"])


async def notification_out(ctx: Context, notification: PPUNotification, response: Response | None = None) -> PPUNotificationOut:
    if response is not None:
        response.headers["ETag"] = etag(notification.version)
    out = PPUNotificationOut.model_validate(notification, from_attributes=True)
    out.updates = [PPUUpdateOut.model_validate(u, from_attributes=True) for u in await service.updates_of(ctx, notification.id)]
    return out


@router.get("/ppu/notifications", response_model=PPUNotificationPage, responses=problem_responses(400, 422))
async def list_ppu_notifications(
    ctx: PoliceContext,
    unacknowledged: bool = False,
    police_reference: Annotated[str | None, Query(max_length=40, description="the incident's police reference")] = None,
    upn: Annotated[str | None, Query(min_length=13, max_length=13, description="a pupil's UPN")] = None,
    notified_from: AwareDatetime | None = None,
    notified_to: AwareDatetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> PPUNotificationPage:
    """PPU notifications of the force (P-PPU), newest first; `unacknowledged=true` for the PPU's queue,
    or one incident (`police_reference`), one pupil (`upn`), a window (`notified_from` inclusive, `notified_to` exclusive)."""
    where = service.NotificationFilter(
        unacknowledged_only=unacknowledged, police_reference=police_reference, upn=upn,
        notified_from=notified_from, notified_to=notified_to,
    )
    rows, next_cursor = await service.list_notifications(ctx, where, cursor=cursor, limit=limit)
    return PPUNotificationPage(items=[PPUNotificationOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.get(
    "/incidents/{incident_id}/ppu-notifications", response_model=PPUNotificationPage, responses=problem_responses(400, 404)
)
async def list_incident_ppu_notifications(
    incident_id: uuid.UUID, ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> PPUNotificationPage:
    """One notification for every child on the incident (P-PPU), oldest first."""
    incident = await incidents.find_incident(ctx, incident_id)
    rows, updates, next_cursor = await service.page_for_incident(ctx, incident.id, cursor=cursor, limit=limit)
    items = []
    for row in rows:
        out = PPUNotificationOut.model_validate(row, from_attributes=True)
        out.updates = [PPUUpdateOut.model_validate(update, from_attributes=True) for update in updates if update.notification_id == row.id]
        items.append(out)
    return PPUNotificationPage(items=items, next_cursor=next_cursor)


@router.get("/ppu/notifications/{notification_id}", response_model=PPUNotificationOut, responses=problem_responses(404))
async def get_ppu_notification(notification_id: uuid.UUID, ctx: PoliceContext, response: Response) -> PPUNotificationOut:
    notification = await service.get_notification(ctx, notification_id)
    return await notification_out(ctx, notification, response)


@router.post(
    "/ppu/notifications/{notification_id}/acknowledge",
    response_model=PPUNotificationOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def acknowledge_ppu_notification(
    notification_id: uuid.UUID, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> PPUNotificationOut:
    """The PPU acknowledges a child's notification. Needs If-Match."""
    notification = await service.acknowledge(ctx, notification_id, expected_version(if_match))
    return await notification_out(ctx, notification, response)


@router.post(
    "/ppu/notifications/{notification_id}/updates", status_code=201, response_model=PPUUpdateOut, responses=problem_responses(404)
)
async def add_ppu_update(notification_id: uuid.UUID, body: PPUUpdateIn, ctx: PoliceContext) -> PPUUpdateOut:
    """An update from the PPU or another agency (officers' notes: never shown to the school)."""
    update = await service.add_update(ctx, notification_id, source=body.source, text=body.text)
    return PPUUpdateOut.model_validate(update, from_attributes=True)
