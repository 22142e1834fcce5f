from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.police_api.rules.retention import PoliceRecordType, RetentionAction

REASON_MAX = 2_000


class LegalHoldCreate(BaseModel):
    """Why the records must be kept past their retention date (a review, an inquiry, proceedings)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_MAX)


class LegalHoldLift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_MAX)


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


class RetentionStatus(BaseModel):
    """The incident's MoPI group, when its records fall due and what then happens, and its next review."""

    incident_id: uuid.UUID
    reference: str
    record_type: PoliceRecordType
    due_on: date
    action: RetentionAction
    next_review_on: date | None
    source: str
    held: bool
    holds: list[LegalHoldOut]
    disposed_at: datetime | None
