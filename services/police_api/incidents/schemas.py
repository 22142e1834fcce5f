from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.police_api.crimes.vocabulary import CrimeDecision
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.routing.vocabulary import Route
from shared.pagination import Page


class PoliceIncidentOut(BaseModel):
    id: uuid.UUID
    force_code: str
    reference: str
    classification: IncidentClassification
    status: PoliceIncidentStatus
    created_at: datetime
    updated_at: datetime
    version: int
    reported_at: datetime | None = None
    # NCRS (P-CRIME): the crime-recording deadline, and seconds left (negative once passed) while undecided.
    crime_deadline_at: datetime | None = None
    crime_time_left_seconds: int | None = None
    crime_decision: CrimeDecision | None = None
    no_crime_reason: str | None = None
    indicators: list[str] = Field(default_factory=list)
    computed_route: Route | None = None
    route: Route | None = None
    route_override_reason: str | None = None
    no_prosecution_reason: str | None = None
    routed_at: datetime | None = None
    finalised_at: datetime | None = None


class PoliceIncidentPage(Page[PoliceIncidentOut]):
    """A page of incidents, newest first."""


class PoliceIncidentCreate(BaseModel):
    """An incident opened by an officer (a 101 call not sent through the school service)."""

    model_config = ConfigDict(extra="forbid")

    classification: IncidentClassification = IncidentClassification.youth_produced_sexual_imagery


class PoliceIncidentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    classification: IncidentClassification


class NoCrimeDecisionIn(BaseModel):
    """P-CRIME: a decision NOT to record a crime, with its reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=10, max_length=4000)
