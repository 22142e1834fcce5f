from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.police_api.persons.vocabulary import LinkRole
from services.police_api.routing.vocabulary import EducationKind, FullInvestigationIndicator, Route
from shared.pagination import Page


class ReasonOut(BaseModel):
    rule: str
    reason: str


class RepeatOut(BaseModel):
    person_id: uuid.UUID
    link_role: LinkRole
    is_repeat: bool
    earlier_references: list[str]
    earlier_incident_ids: list[str]


class AssessmentOut(BaseModel):
    """Computed with reasons (P-REPEAT, P-FULL-INVESTIGATION, P-ROUTE); the officer decides the route."""

    incident_id: uuid.UUID
    repeats: list[RepeatOut]
    repeat_flagged: bool
    adult_implicated: bool
    adult_person_ids: list[uuid.UUID]
    indicators: list[FullInvestigationIndicator]
    full_investigation_reasons: list[ReasonOut]
    computed_route: Route
    computed_reasons: list[ReasonOut]
    route: Route | None
    route_override_reason: str | None
    no_prosecution_reason: str | None
    version: int


class AssessmentIn(BaseModel):
    """The officer's findings that call for a full investigation (P-FULL-INVESTIGATION)."""

    model_config = ConfigDict(extra="forbid")

    indicators: list[FullInvestigationIndicator] = Field(default_factory=list, max_length=6)


class RouteIn(BaseModel):
    """Take the computed route. The SCPO route needs the decision not to prosecute with its reason."""

    model_config = ConfigDict(extra="forbid")

    route: Route
    no_prosecution_reason: str | None = Field(default=None, min_length=10, max_length=4000)


class RouteOverrideIn(BaseModel):
    """A supervisor's override of the computed route, with the written reason (audited)."""

    model_config = ConfigDict(extra="forbid")

    route: Route
    reason: str = Field(min_length=10, max_length=4000)
    no_prosecution_reason: str | None = Field(default=None, min_length=10, max_length=4000)


class Attendee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    description: str = Field(min_length=1, max_length=200)


class RestorativeMeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date
    attendees: list[Attendee] = Field(min_length=1, max_length=30)
    outcome: str = Field(min_length=1, max_length=4000)


class RestorativeMeetingOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    held_on: date
    attendees: list[Attendee]
    outcome: str
    recorded_by: str
    created_at: datetime


class EducationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EducationKind
    delivered_on: date
    person_id: uuid.UUID | None = None
    description: str = Field(min_length=1, max_length=4000)


class EducationOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    kind: EducationKind
    delivered_on: date
    person_id: uuid.UUID | None
    description: str
    recorded_by: str
    created_at: datetime


class RestorativeMeetingPage(Page[RestorativeMeetingOut]):
    """A page of the incident's restorative meetings (P-ROUTE), oldest first."""


class EducationPage(Page[EducationOut]):
    """A page of the incident's educational responses (P-ROUTE), oldest first."""
