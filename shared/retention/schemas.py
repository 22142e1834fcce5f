"""The wire shapes of retention that are the same in both services.

Each service adds its `LegalHoldCreate` (what a reason to hold is, in its own words) and its
`RetentionStatus` (its record types, and for the police the next review), in services/<service>/retention/.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

REASON_MAX = 2_000


class HoldReason(BaseModel):
    """The body of placing or lifting a hold: the reason alone."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_MAX)


# Its own name in both documents, with no description: pydantic reads a model's own docstring only.
class LegalHoldLift(HoldReason):
    ...


class LegalHoldOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    reason: str
    placed_by: str
    placed_by_role: str
    placed_at: datetime
    lifted_by: str | None
    lifted_by_role: str | None
    lifted_at: datetime | None
    lift_reason: str | None


class RetentionStatusBase(BaseModel):
    """Each service's `RetentionStatus` declares its fields (in the order its document lists them) on this."""

    @classmethod
    def of(cls, incident: Any, due: Any, holds: Sequence[Any], disposal: Any | None) -> Self:
        return cls(**status_fields(incident, due, holds, disposal))


def status_fields(incident: Any, due: Any, holds: Sequence[Any], disposal: Any | None) -> dict[str, Any]:
    """The fields of a retention status that both services answer alike."""
    # Once disposed of, the file no longer holds the dates of birth its date was computed from: the record says it.
    return {
        "incident_id": incident.id,
        "reference": incident.reference,
        "record_type": disposal.record_type if disposal else due.record_type,
        "due_on": disposal.due_on if disposal else due.due_on,
        "action": disposal.action if disposal else due.action,
        "source": due.source,
        "held": any(hold.lifted_at is None for hold in holds),
        "holds": [LegalHoldOut.model_validate(hold, from_attributes=True) for hold in holds],
        "disposed_at": disposal.disposed_at if disposal else None,
    }
