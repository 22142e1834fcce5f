"""The subject access export (UK GDPR Art. 15): what the school holds about one person, as JSON.

Other people appear as kind and roles only (see redaction.py); staff appear by role, not by identity.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from services.school_api.actions.vocabulary import ActionKind
from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor, Recommendation, Typology
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from services.school_api.incidents.vocabulary import DisclosureSource, ImageNature, IncidentStatus
from services.school_api.narratives.vocabulary import NarrativeField
from services.school_api.people.vocabulary import PersonKind, PersonRole, Sex, Vulnerability
from services.school_api.referrals.vocabulary import DeliveryState, PoliceChannel
from services.school_api.subject_access.vocabulary import MatchedBy


class SubjectRecord(BaseModel):
    """One record of the person: the school keeps a person per incident."""

    id: uuid.UUID
    incident_id: uuid.UUID
    kind: PersonKind
    roles: list[PersonRole]
    given_name: str | None
    family_name: str | None
    upn: str | None
    date_of_birth: date | None
    age_years: int | None
    sex: Sex
    year_group: int | None
    vulnerabilities: list[Vulnerability]


class OtherPerson(BaseModel):
    """Another person in the same incident, without anything that identifies them."""

    kind: PersonKind
    roles: list[PersonRole]


class ObservationEntry(BaseModel):
    id: uuid.UUID
    observed_at: datetime
    text: str
    recorded_by_role: str


class ActionEntryOut(BaseModel):
    id: uuid.UUID
    kind: ActionKind
    taken: bool
    justification: str | None
    occurred_at: datetime


class AssessmentEntry(BaseModel):
    id: uuid.UUID
    typology: Typology
    recommendation: Recommendation
    immediate_criteria_met: list[ImmediateCriterion]
    factors_present: list[JudgementFactor]
    reasons: list[str]
    notes: str | None
    assessed_at: datetime


class DecisionEntry(BaseModel):
    id: uuid.UUID
    outcome: DecisionOutcome
    police_channel: PoliceChannel | None
    reasons: str | None
    inform_parents: bool
    parents_not_informed_reason: str | None
    safeguards: str | None
    decided_at: datetime


class ReviewEntry(BaseModel):
    id: uuid.UUID
    outcome: str
    reviewed_at: datetime


class DeviceEntry(BaseModel):
    """A device the person owns."""

    id: uuid.UUID
    ownership: DeviceOwner
    description: str | None
    custody_state: CustodyEventKind | None
    held_by_school: bool


class SearchEntry(BaseModel):
    """A search of the person's device (S-SEARCH)."""

    id: uuid.UUID
    searched_at: datetime
    distress_judgement: str
    findings: str | None


class ReferralEntry(BaseModel):
    id: uuid.UUID
    channel: PoliceChannel
    delivery_state: DeliveryState
    police_reference: str | None
    delivered_at: datetime | None


class EarlierText(BaseModel):
    id: uuid.UUID
    field: NarrativeField
    previous_text: str | None
    replaced_at: datetime


class IncidentFile(BaseModel):
    id: uuid.UUID
    reference: str
    status: IncidentStatus
    disclosed_at: datetime
    disclosure_source: DisclosureSource
    image_nature: ImageNature
    narrative: str | None
    where_image_ended_up: str | None
    resolution: str | None
    subject: SubjectRecord
    others_involved: list[OtherPerson]
    observations: list[ObservationEntry]
    actions: list[ActionEntryOut]
    assessments: list[AssessmentEntry]
    decisions: list[DecisionEntry]
    reviews: list[ReviewEntry]
    devices: list[DeviceEntry]
    searches: list[SearchEntry]
    referrals: list[ReferralEntry]
    narrative_history: list[EarlierText]


class SubjectAccessExport(BaseModel):
    exported_at: datetime
    exported_by_role: str
    matched_by: MatchedBy
    # What was left out and why, for the DSL who releases the export.
    redactions: list[str]
    incidents: list[IncidentFile]
