from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.reports.schemas import ReportedPersonKind, ReportedPersonRole, Sex
from shared.identifiers import checked_upn
from shared.pagination import Page


class PersonOut(BaseModel):
    id: uuid.UUID
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    upn: str | None
    sex: Sex
    age_status: PersonAge
    merged_into_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class PersonHistoryItem(BaseModel):
    incident_id: uuid.UUID
    police_reference: str
    role: LinkRole
    linked_at: datetime


class PersonDetailOut(PersonOut):
    history: list[PersonHistoryItem]


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    age_years: int | None = Field(default=None, ge=0, le=120)
    kind: ReportedPersonKind = ReportedPersonKind.unknown
    sex: Sex = Sex.not_known
    upn: Annotated[str, AfterValidator(checked_upn)] | None = Field(default=None, pattern=r"^[A-Z0-9]{13}$")


class LinkCreate(BaseModel):
    """Link an indexed person (`person_id`) or a person found again / added by their details (`person`).
    Without `role`, the role is derived from `reported_roles` (P-CRIME)."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    person: PersonIn | None = None
    role: LinkRole | None = None
    reported_roles: list[ReportedPersonRole] = Field(default_factory=list, max_length=7)


class LinkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: LinkRole


class LinkOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    person_id: uuid.UUID
    role: LinkRole
    reported_roles: list[str]
    age_status: PersonAge
    school_person_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    person: PersonOut | None = None


class LinkPage(Page[LinkOut]):
    """A page of the people linked to an incident, oldest link first."""


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate_person_id: uuid.UUID
    reason: str = Field(min_length=10, max_length=2000)
