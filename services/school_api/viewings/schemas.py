from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from shared.pagination import Page

TEXT_MAX = 5_000


class ViewingCreate(BaseModel):
    """That the DSL viewed an image, why, and with whose agreement (S-IMAGE). Never the image."""

    model_config = ConfigDict(extra="forbid")

    device_id: uuid.UUID | None = None
    authorisation_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=TEXT_MAX)
    distress_judgement: str | None = Field(default=None, max_length=TEXT_MAX)
    viewed_at: AwareDatetime


class ViewingOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    device_id: uuid.UUID | None
    authorisation_id: uuid.UUID
    reason: str
    distress_judgement: str
    viewed_at: datetime
    viewed_by: str
    recorded_at: datetime


class ViewingPage(Page[ViewingOut]):
    """A page of the incident's viewings, oldest first."""
