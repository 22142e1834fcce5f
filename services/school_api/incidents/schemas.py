"""Wire shapes of an incident. Server-owned fields (status, school, author, times, version) are
never accepted from a client: the create schema forbids unknown fields."""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.school_api.incidents.vocabulary import DisclosureSource, ImageNature, IncidentStatus

NARRATIVE_MAX = 10_000


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disclosed_at: AwareDatetime
    disclosure_source: DisclosureSource
    image_nature: ImageNature = ImageNature.unknown
    narrative: str | None = Field(default=None, max_length=NARRATIVE_MAX)


class IncidentSummary(BaseModel):
    """What every reader may see, the MIS client included: no narrative, no assessment detail."""

    id: uuid.UUID
    reference: str
    school_urn: str
    status: IncidentStatus
    disclosed_at: datetime
    disclosure_source: DisclosureSource
    image_nature: ImageNature
    created_at: datetime
    updated_at: datetime
    version: int


class IncidentDetail(IncidentSummary):
    narrative: str | None


class IncidentPage(BaseModel):
    items: list[IncidentSummary]
    next_cursor: str | None
