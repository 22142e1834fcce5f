from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.retention import service
from services.school_api.retention.schemas import LegalHoldCreate, LegalHoldLift, LegalHoldOut, RetentionStatus
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}", tags=["retention"])


@router.get("/retention", response_model=RetentionStatus, responses=problem_responses(404))
async def get_retention(incident_id: uuid.UUID, ctx: SchoolContext) -> RetentionStatus:
    """The file's retention date and action under the schedule, its legal holds, and its disposal if done."""
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.retention.read")
    due, holds, disposal = await service.retention_status(ctx, incident)
    # Once disposed of, the file no longer holds the dates of birth its date was computed from: the record says it.
    return RetentionStatus(
        incident_id=incident.id,
        reference=incident.reference,
        record_type=disposal.record_type if disposal else due.record_type,
        due_on=disposal.due_on if disposal else due.due_on,
        action=disposal.action if disposal else due.action,
        source=due.source,
        held=any(hold.lifted_at is None for hold in holds),
        holds=[LegalHoldOut.model_validate(hold, from_attributes=True) for hold in holds],
        disposed_at=disposal.disposed_at if disposal else None,
    )


@router.post("/legal-hold", status_code=status.HTTP_201_CREATED, response_model=LegalHoldOut, responses=problem_responses(404, 409))
async def place_legal_hold(incident_id: uuid.UUID, body: LegalHoldCreate, ctx: SchoolContext) -> LegalHoldOut:
    """Suspend the file's disposal (DSL or headteacher), with the reason. One hold at a time."""
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.legal_hold")
    return LegalHoldOut.model_validate(await service.place_hold(ctx, incident, body), from_attributes=True)


@router.post("/legal-hold/lift", response_model=LegalHoldOut, responses=problem_responses(404, 409))
async def lift_legal_hold(incident_id: uuid.UUID, body: LegalHoldLift, ctx: SchoolContext) -> LegalHoldOut:
    """Lift the standing hold, with the reason; the file then follows the schedule again."""
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.legal_hold")
    return LegalHoldOut.model_validate(await service.lift_hold(ctx, incident, body), from_attributes=True)
