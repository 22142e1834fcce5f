from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from shared.pagination import Page


class ReviewCreate(BaseModel):
    """S-REVIEW (APPX8 step 8): the outcome, what worked, and what changes to procedure."""

    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(min_length=1, max_length=5_000)
    what_worked: str | None = Field(default=None, max_length=5_000)
    procedure_changes: str | None = Field(default=None, max_length=5_000)


class ReviewOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    outcome: str
    what_worked: str | None
    procedure_changes: str | None
    reviewed_by: str
    reviewed_at: datetime


class ReviewPage(Page[ReviewOut]):
    """A page of the incident's reviews, oldest first."""
