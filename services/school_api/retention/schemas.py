from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.school_api.rules.retention import RetentionAction, SchoolRecordType

REASON_MAX = 2_000


class LegalHoldCreate(BaseModel):
    """Why the file must be kept past its retention date (an inquiry, a claim, a police request)."""

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
    """When the incident's file falls due under the schedule (docs/retention.md), and what then happens."""

    incident_id: uuid.UUID
    reference: str
    record_type: SchoolRecordType
    due_on: date
    action: RetentionAction
    source: str
    held: bool
    holds: list[LegalHoldOut]
    disposed_at: datetime | None
