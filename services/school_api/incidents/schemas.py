"""Wire shapes of an incident. Server-owned fields (status, school, author, times, version) are
never accepted from a client: the create and update schemas forbid unknown fields."""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.school_api.incidents.vocabulary import (
    DeviceOwnership,
    DevicePossession,
    DisclosureSource,
    ImageInvolvement,
    ImageNature,
    IncidentStatus,
    SharingExtent,
)
from shared.pagination import Page

NARRATIVE_MAX = 10_000
SHORT_TEXT_MAX = 2_000


class DisclosureAnswers(BaseModel):
    """APPX8 step 1: the questions to answer at disclosure, as structured answers (null: not known yet)."""

    model_config = ConfigDict(extra="forbid")

    image_involvement: list[ImageInvolvement] | None = Field(default=None, max_length=3)
    sharing_extent: SharingExtent | None = None
    device_possession: DevicePossession | None = None
    device_ownership: DeviceOwnership | None = None
    dsl_consulted: bool | None = None
    immediate_support_needed: bool | None = None
    other_pupils_involved: bool | None = None
    where_image_ended_up: str | None = Field(default=None, max_length=SHORT_TEXT_MAX)


class IncidentCreate(DisclosureAnswers):
    disclosed_at: AwareDatetime
    disclosure_source: DisclosureSource
    image_nature: ImageNature = ImageNature.unknown
    narrative: str | None = Field(default=None, max_length=NARRATIVE_MAX)


class IncidentUpdate(DisclosureAnswers):
    """A DSL completes or corrects the disclosure answers (If-Match required). Only sent fields change."""

    image_nature: ImageNature | None = None
    narrative: str | None = Field(default=None, max_length=NARRATIVE_MAX)


class IncidentReceipt(BaseModel):
    """What staff get back: the reference and status only (they cannot read incidents afterwards)."""

    id: uuid.UUID
    reference: str
    status: IncidentStatus


class IncidentSummary(IncidentReceipt):
    """What every reader may see, the MIS client included: no narrative, no assessment detail."""

    school_urn: str
    disclosed_at: datetime
    disclosure_source: DisclosureSource
    image_nature: ImageNature
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int


class IncidentDetail(IncidentSummary):
    narrative: str | None
    image_involvement: list[ImageInvolvement] | None
    sharing_extent: SharingExtent | None
    device_possession: DevicePossession | None
    device_ownership: DeviceOwnership | None
    dsl_consulted: bool | None
    immediate_support_needed: bool | None
    other_pupils_involved: bool | None
    where_image_ended_up: str | None
    resolution: str | None
    created_by: str


class IncidentPage(Page[IncidentSummary]):
    """A page of incidents, newest first."""


class ObservationCreate(BaseModel):
    """What a member of staff saw or heard (APPX8: staff pass any disclosure to the DSL)."""

    model_config = ConfigDict(extra="forbid")

    observed_at: AwareDatetime
    text: str = Field(min_length=1, max_length=NARRATIVE_MAX)


class ObservationReceipt(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    recorded_at: datetime


class ObservationOut(ObservationReceipt):
    """An observation as the safeguarding team reads it: who recorded it, in what role, and what they saw."""

    observed_at: datetime
    text: str
    recorded_by: str
    recorded_by_role: str


class ObservationPage(Page[ObservationOut]):
    """A page of the incident's observations, oldest recorded first."""


class CloseRequest(BaseModel):
    """S-RECORD: the resolution is recorded with the closure, even where the school managed it alone."""

    model_config = ConfigDict(extra="forbid")

    resolution: str = Field(min_length=1, max_length=SHORT_TEXT_MAX)
