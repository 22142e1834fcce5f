from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.police_api.crimes.vocabulary import ContactedParty, ContactMethod, CrimeStatus
from shared.pagination import Page

OFFENCE_CODE_PATTERN = r"^\d{1,3}[A-Z]?/\d{1,3}[A-Z]?$"


class CrimeCreate(BaseModel):
    """One crime per victim (P-CRIME). Without `subject_person_ids`, every suspect and person involved
    linked to the incident (other than the victim) is on the crime."""

    model_config = ConfigDict(extra="forbid")

    victim_person_id: uuid.UUID
    offence_code: str = Field(max_length=10)
    subject_person_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offence_code: str | None = Field(default=None, max_length=10)
    recorded_at: AwareDatetime | None = None
    reason: str = Field(min_length=10, max_length=2000)


class CorrectionOut(BaseModel):
    field: str
    old_value: str
    new_value: str
    reason: str
    corrected_by: str
    corrected_at: datetime


class VictimContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacted: ContactedParty
    contacted_at: AwareDatetime
    method: ContactMethod
    note: str | None = Field(default=None, max_length=2000)


class VictimContactOut(BaseModel):
    id: uuid.UUID
    contacted: ContactedParty
    contacted_at: datetime
    method: ContactMethod
    note: str | None
    recorded_by: str


class CrimeOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    victim_person_id: uuid.UUID
    subject_person_ids: list[uuid.UUID]
    offence_code: str
    status: CrimeStatus
    recorded_at: datetime
    recorded_by: str
    deadline_at: datetime
    recorded_late: bool
    proposed_outcome: int | None
    proposed_rationale: str | None
    outcome_code: int | None
    outcome_label: str | None
    public_interest_rationale: str | None
    finalised_at: datetime | None
    version: int
    corrections: list[CorrectionOut] = Field(default_factory=list)
    contacts: list[VictimContactOut] = Field(default_factory=list)


class OffenceCodeOut(BaseModel):
    code: str
    title: str
    statute: str


class OffenceCodeIn(BaseModel):
    """What the operator gives `police-api add-offence-code`; no route takes it (see crimes.service.add_offence_code)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=OFFENCE_CODE_PATTERN, max_length=10)
    title: str = Field(min_length=3, max_length=300)
    statute: str = Field(min_length=3, max_length=200)


class OutcomeCodeOut(BaseModel):
    code: int
    name: str
    label: str


class CrimePage(Page[CrimeOut]):
    """A page of an incident's crimes, in the order recorded."""


class OffenceCodePage(Page[OffenceCodeOut]):
    """A page of the offence reference table, by code."""


class OutcomeCodePage(Page[OutcomeCodeOut]):
    """A page of the Home Office outcome codes, in code order."""
