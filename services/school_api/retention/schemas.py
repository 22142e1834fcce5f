"""The school's wire shapes of retention; those both services share are shared/retention/schemas.py."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from services.school_api.rules.retention import RetentionAction, SchoolRecordType
from shared.retention.schemas import HoldReason, LegalHoldOut, RetentionStatusBase


class LegalHoldCreate(HoldReason):
    """Why the file must be kept past its retention date (an inquiry, a claim, a police request)."""


class RetentionStatus(RetentionStatusBase):
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
