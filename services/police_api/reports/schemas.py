"""The report a school sends to the police (P-101): the wire contract between the two services.

It carries the minimum the police need (names, dates of birth, roles, school), what is known of
the image (its nature and spread, never the image), the devices the school holds, and the
school's risk assessment with its reasons. The school service builds exactly this shape.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.identifiers import URN_PATTERN, checked_upn
from shared.pagination import Page


class ReportChannel(StrEnum):
    call_101 = "101"
    scpo = "scpo"


class TriagePriority(StrEnum):
    """The call handler's triage of an incoming report."""

    immediate = "immediate"
    priority = "priority"
    standard = "standard"


class ReportedPersonKind(StrEnum):
    pupil = "pupil"
    child_elsewhere = "child_elsewhere"
    adult = "adult"
    unknown = "unknown"


class ReportedPersonRole(StrEnum):
    pictured = "pictured"
    sender = "sender"
    recipient = "recipient"
    sharer = "sharer"
    possessor = "possessor"
    discloser = "discloser"
    coercer = "coercer"


class ReportedImageNature(StrEnum):
    potentially_illegal = "potentially_illegal"
    inappropriate = "inappropriate"
    unknown = "unknown"


class ReportedDeviceOwnership(StrEnum):
    school = "school"
    personal = "personal"


class ReportedCustodyState(StrEnum):
    """The last step of a device's chain of custody at the school (the school's custody vocabulary)."""

    confiscated = "confiscated"
    flight_mode = "flight_mode"
    switched_off = "switched_off"
    secured = "secured"
    network_blocked = "network_blocked"
    handed_to_police = "handed_to_police"
    returned_to_owner = "returned_to_owner"


class ReportedRecommendation(StrEnum):
    """The school's risk-assessment recommendation (S-IMMEDIATE, S-POLICE)."""

    refer_police_immediately = "refer_police_immediately"
    refer_police = "refer_police"
    refer_social_care = "refer_social_care"
    manage_in_school = "manage_in_school"


class ReportedTypology(StrEnum):
    """The school's typology of the incident (S-TYPOLOGY, WF-2011)."""

    aggravated_adult_involved = "aggravated_adult_involved"
    aggravated_youth_intent_to_harm = "aggravated_youth_intent_to_harm"
    aggravated_youth_reckless_misuse = "aggravated_youth_reckless_misuse"
    experimental_romantic = "experimental_romantic"
    experimental_sexual_attention_seeking = "experimental_sexual_attention_seeking"
    experimental_other = "experimental_other"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    not_known = "not_known"


class ReportedPerson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_person_id: uuid.UUID
    kind: ReportedPersonKind
    roles: list[ReportedPersonRole] = Field(min_length=1, max_length=7)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    age_years: int | None = Field(default=None, ge=0, le=120)
    sex: Sex = Sex.not_known
    upn: Annotated[str, AfterValidator(checked_upn)] | None = Field(default=None, pattern=r"^[A-Z0-9]{13}$")
    school_urn: str | None = Field(default=None, pattern=URN_PATTERN)


class ReportedImage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nature: ReportedImageNature
    widely_shared: bool | None = None
    where_it_ended_up: str | None = Field(default=None, max_length=2000)


class ReportedDevice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_device_id: uuid.UUID
    ownership: ReportedDeviceOwnership
    held_by_school: bool
    secured_state: ReportedCustodyState | None = None


class ReportedRiskAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recommendation: ReportedRecommendation | None = None
    typology: ReportedTypology | None = None
    rule_ids: list[str] = Field(default_factory=list, max_length=40)
    reasons: list[str] = Field(default_factory=list, max_length=40)


class SchoolReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_incident_id: uuid.UUID
    school_incident_reference: str = Field(min_length=1, max_length=40)
    channel: ReportChannel
    disclosed_at: AwareDatetime
    referred_at: AwareDatetime
    image: ReportedImage
    people: list[ReportedPerson] = Field(default_factory=list, max_length=50)
    devices: list[ReportedDevice] = Field(default_factory=list, max_length=20)
    risk_assessment: ReportedRiskAssessment | None = None
    referral_reasons: str | None = Field(default=None, max_length=10_000)


class SchoolReportReceipt(BaseModel):
    """The answer to intake; replayed byte for byte for a repeat with the same Idempotency-Key."""

    id: uuid.UUID
    police_reference: str
    police_incident_id: uuid.UUID
    received_at: datetime


class ReportStatus(BaseModel):
    """What the reporting school may know (never officers' notes or other schools' data)."""

    id: uuid.UUID
    police_reference: str
    received_at: datetime
    crimes_recorded: int
    crime_decision_made: bool
    ppu_notified: bool
    route: str | None
    outcome_codes: list[int]
    outcome: str | None
    finalised: bool
    updated_at: datetime
    # When each step the school may know of happened (None until it has).
    crime_decision_at: datetime | None = None
    ppu_notified_at: datetime | None = None
    routed_at: datetime | None = None
    finalised_at: datetime | None = None


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: TriagePriority
    note: str | None = Field(default=None, max_length=2000)


class SchoolReportSummary(BaseModel):
    """For officers: a report in the incoming list."""

    id: uuid.UUID
    police_incident_id: uuid.UUID
    police_reference: str
    school_urn: str
    school_incident_reference: str
    channel: ReportChannel
    received_at: datetime
    triage_priority: TriagePriority | None
    triaged_at: datetime | None


class SchoolReportPage(Page[SchoolReportSummary]):
    """A page of incoming school reports, newest first."""


class SchoolReportOut(SchoolReportSummary):
    """For officers: the report as received (the third-party report, P-CRIME) and its triage."""

    content: dict[str, object]
    triage_note: str | None
    triaged_by: str | None
    version: int
