"""The subject access export (DPA 2018 Part 3, s.45): what the force holds about one indexed person.

Other people appear as link role and age status only; officers appear by role, not identity.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.police_api.crimes.vocabulary import CrimeStatus
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.routing.vocabulary import EducationKind, Route
from services.police_api.subject_access.vocabulary import NamedAs


class PersonRecord(BaseModel):
    id: uuid.UUID
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    upn: str | None
    sex: str
    age_status: PersonAge


class MergedRecord(BaseModel):
    """Another record of the same person, merged into this one."""

    id: uuid.UUID
    merged_at: datetime
    reason: str


class LinkRecord(BaseModel):
    id: uuid.UUID
    role: LinkRole
    reported_roles: list[str]
    age_status: PersonAge


class OtherPerson(BaseModel):
    role: LinkRole
    age_status: PersonAge


class CrimeRecord(BaseModel):
    id: uuid.UUID
    offence_code: str
    named_as: NamedAs
    status: CrimeStatus
    outcome_code: int | None
    public_interest_rationale: str | None
    recorded_at: datetime
    finalised_at: datetime | None


class PPUUpdateRecord(BaseModel):
    id: uuid.UUID
    source: str
    text: str
    created_at: datetime


class PPURecord(BaseModel):
    id: uuid.UUID
    created_at: datetime
    acknowledged_at: datetime | None
    updates: list[PPUUpdateRecord]


class EducationRecordOut(BaseModel):
    id: uuid.UUID
    kind: EducationKind
    delivered_on: date
    description: str


class MeetingRecord(BaseModel):
    """A restorative meeting of the incident; who else attended is left out."""

    id: uuid.UUID
    held_on: date
    outcome: str


class ReportedAs(BaseModel):
    """What the school's report said about the person, and the report's own texts."""

    person: dict[str, Any] | None
    where_it_ended_up: str | None
    referral_reasons: str | None


class IncidentFile(BaseModel):
    id: uuid.UUID
    reference: str
    classification: IncidentClassification
    status: PoliceIncidentStatus
    reported_at: datetime | None
    route: Route | None
    no_crime_reason: str | None
    route_override_reason: str | None
    no_prosecution_reason: str | None
    finalised_at: datetime | None
    link: LinkRecord
    others_involved: list[OtherPerson]
    reported_as: list[ReportedAs]
    crimes: list[CrimeRecord]
    ppu_notifications: list[PPURecord]
    education: list[EducationRecordOut]
    restorative_meetings: list[MeetingRecord]


class SubjectAccessExport(BaseModel):
    exported_at: datetime
    exported_by_role: str
    person: PersonRecord
    merged_records: list[MergedRecord]
    # What was left out and why, for the registrar who releases the export.
    redactions: list[str]
    incidents: list[IncidentFile]
