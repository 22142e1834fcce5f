"""The force's wire shapes of retention; those both services share are shared/retention/schemas.py."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Self

from services.police_api.rules.retention import PoliceRecordType, RetentionAction, RetentionDue
from shared.retention.schemas import HoldReason, LegalHoldOut, RetentionStatusBase, status_fields


class LegalHoldCreate(HoldReason):
    """Why the records must be kept past their retention date (a review, an inquiry, proceedings)."""


class RetentionStatus(RetentionStatusBase):
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

    @classmethod
    def of(cls, incident: Any, due: RetentionDue, holds: Sequence[Any], disposal: Any | None) -> Self:
        # Disposed records have no review to come.
        return cls(**status_fields(incident, due, holds, disposal), next_review_on=None if disposal else due.next_review_on)
