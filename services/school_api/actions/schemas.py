from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.school_api.actions.vocabulary import ActionKind
from shared.pagination import Page

JUSTIFICATION_MAX = 5_000


class ActionCreate(BaseModel):
    """S-RECORD: an action taken or not taken; a justification is required when not taken."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    taken: bool
    justification: str | None = Field(default=None, max_length=JUSTIFICATION_MAX)
    performed_by: str = Field(min_length=1, max_length=200)
    occurred_at: AwareDatetime


class ActionOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    kind: ActionKind
    taken: bool
    justification: str | None
    performed_by: str
    occurred_at: datetime
    recorded_by: str
    recorded_at: datetime


class ActionPage(Page[ActionOut]):
    """A page of the incident's actions, oldest first."""
