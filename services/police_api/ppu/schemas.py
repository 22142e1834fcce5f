from __future__ import annotations

import uuid
from datetime import datetime

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Page


class PPUUpdateSource(StrEnum):
    """Who an update awaited on the safeguarding route comes from (P-PPU: the PPU and other agencies)."""

    ppu = "ppu"
    social_care = "social_care"
    ceop = "ceop"
    health = "health"
    education = "education"
    other = "other"


class PPUUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: PPUUpdateSource
    text: str = Field(min_length=1, max_length=4000)


class PPUUpdateOut(BaseModel):
    id: uuid.UUID
    source: PPUUpdateSource
    text: str
    author: str
    created_at: datetime


class PPUNotificationOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    person_id: uuid.UUID
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    updated_at: datetime
    version: int
    updates: list[PPUUpdateOut] = Field(default_factory=list)


class PPUNotificationPage(Page[PPUNotificationOut]):
    """A page of PPU notifications (P-PPU)."""
