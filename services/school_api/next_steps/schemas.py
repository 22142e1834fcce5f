from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.school_api.next_steps.vocabulary import StepKind


class NextStepOut(BaseModel):
    kind: StepKind
    rule: str
    step: int
    text: str
    required: bool
    due_at: datetime | None


class NextStepsOut(BaseModel):
    """What the guidance still expects of the incident (rules/next_steps.py); `closable` says whether closing
    would pass these steps (S-REVIEW and S-DSL are checked at closing too)."""

    incident_id: uuid.UUID
    steps: list[NextStepOut]
    closable: bool
