from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.child_accounts import service
from services.school_api.child_accounts.schemas import ChildAccountCreate, ChildAccountOut, ChildAccountPage
from services.school_api.incidents import service as incidents
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/child-accounts", tags=["child accounts"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ChildAccountOut, responses=problem_responses(404, 409))
async def record_child_account(incident_id: uuid.UUID, body: ChildAccountCreate, ctx: SchoolContext) -> ChildAccountOut:
    """Record a child's own account and wishes, attributed to that child (S-CHILD-VOICE)."""
    return ChildAccountOut.model_validate(await service.record_child_account(ctx, incident_id, body), from_attributes=True)


@router.get("", response_model=ChildAccountPage, responses=problem_responses(400, 404))
async def list_child_accounts(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> ChildAccountPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_child_accounts(ctx, incident_id, cursor=cursor, limit=limit)
    return ChildAccountPage(items=[ChildAccountOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
