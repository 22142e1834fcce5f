from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from shared.pagination import Page

TEXT_MAX = 5_000


class SearchCreate(BaseModel):
    """A device search and the S-SEARCH conditions it was done under; the judgement on distress (S-CHILD-FIRST)."""

    model_config = ConfigDict(extra="forbid")

    device_id: uuid.UUID
    pupil_person_id: uuid.UUID | None = None
    authorisation_id: uuid.UUID | None = None
    searched_by: str = Field(min_length=1, max_length=200)
    safeguarding_member_present: str | None = Field(default=None, max_length=200)
    searcher_same_sex_as_pupil: bool
    in_line_with_school_policy: bool
    would_add_distress: bool
    distress_judgement: str | None = Field(default=None, max_length=TEXT_MAX)
    findings: str | None = Field(default=None, max_length=TEXT_MAX)
    searched_at: AwareDatetime


class SearchOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    device_id: uuid.UUID
    pupil_person_id: uuid.UUID | None
    authorisation_id: uuid.UUID
    searched_by: str
    safeguarding_member_present: str
    searcher_same_sex_as_pupil: bool
    in_line_with_school_policy: bool
    would_add_distress: bool
    distress_judgement: str
    findings: str | None
    searched_at: datetime
    recorded_by: str
    recorded_at: datetime


class SearchPage(Page[SearchOut]):
    """A page of the incident's searches, oldest first."""
