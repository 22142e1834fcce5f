from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.school_api.initial_reviews.vocabulary import AttendeeRole
from shared.pagination import Page


class Attendee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: AttendeeRole


class InitialReviewCreate(BaseModel):
    """S-INITIAL-REVIEW: the DSL's initial review meeting, who attended and what was decided."""

    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime
    attendees: list[Attendee] = Field(min_length=1, max_length=30)
    decided: str = Field(min_length=1, max_length=10_000)


class InitialReviewOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    held_at: datetime
    attendees: list[Attendee]
    decided: str
    recorded_by: str
    recorded_at: datetime


class InitialReviewPage(Page[InitialReviewOut]):
    """A page of the incident's initial reviews, oldest recorded first."""
