from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.next_steps import service
from services.school_api.next_steps.schemas import NextStepOut, NextStepsOut
from services.school_api.rules.next_steps import closing_violations
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/next-steps", tags=["next steps"])


@router.get("", response_model=NextStepsOut, responses=problem_responses(404))
async def get_next_steps(incident_id: uuid.UUID, ctx: SchoolContext) -> NextStepsOut:
    """What the guidance still expects, given what is recorded: each open step with its rule id, its APPX8
    step and whether closing waits for it (a step logged as not taken, with its reason, is settled)."""
    incident = await incidents.get_incident(ctx, incident_id)
    steps = await service.open_steps(ctx, incident)
    return NextStepsOut(
        incident_id=incident.id,
        steps=[NextStepOut.model_validate(step, from_attributes=True) for step in steps],
        closable=not closing_violations(steps),
    )
