from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.actions import service
from services.school_api.actions.schemas import ActionCreate, ActionOut, ActionPage
from services.school_api.incidents import service as incidents
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/actions", tags=["actions"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ActionOut, responses=problem_responses(404, 409))
async def record_action(incident_id: uuid.UUID, body: ActionCreate, ctx: SchoolContext) -> ActionOut:
    """Log an action taken or not taken (S-RECORD); not taken needs its justification."""
    return ActionOut.model_validate(await service.record_action(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=ActionPage, responses=problem_responses(400, 404))
async def list_actions(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ActionPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_actions(ctx, incident_id, cursor=cursor, limit=limit)
    return ActionPage(items=[ActionOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
