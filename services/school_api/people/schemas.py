from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.school_api.people.vocabulary import PersonKind, PersonRole, Sex, Vulnerability
from shared.identifiers import URN_PATTERN, is_valid_upn
from shared.pagination import Page

NAME_MAX = 100


def _check_upn(value: str | None) -> str | None:
    if value is not None and not is_valid_upn(value):
        raise ValueError("not a valid UPN (shape or check letter)")
    return value


def _unique(values: list | None) -> list | None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError("values must not repeat")
    return values


class _PersonFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: str | None = Field(default=None, max_length=NAME_MAX)
    family_name: str | None = Field(default=None, max_length=NAME_MAX)
    upn: str | None = Field(default=None, min_length=13, max_length=13)
    date_of_birth: date | None = None
    age_years: int | None = Field(default=None, ge=0, le=120)
    sex: Sex | None = None
    # Reception is 0; 14 covers year 14 in further education.
    year_group: int | None = Field(default=None, ge=0, le=14)
    other_school_urn: str | None = Field(default=None, pattern=URN_PATTERN)
    vulnerabilities: list[Vulnerability] | None = Field(default=None, max_length=len(Vulnerability))

    @field_validator("upn")
    @classmethod
    def _valid_upn(cls, value: str | None) -> str | None:
        return _check_upn(value)

    @field_validator("date_of_birth")
    @classmethod
    def _born_already(cls, value: date | None) -> date | None:
        # A future date would make the child "under 13" (S-IMMEDIATE 4) by arithmetic, not by fact.
        if value is not None and value > datetime.now(UTC).date():
            raise ValueError("a date of birth cannot be in the future")
        return value

    @field_validator("vulnerabilities")
    @classmethod
    def _flags_once(cls, value: list | None) -> list | None:
        return _unique(value)

    @model_validator(mode="after")
    def _dob_or_age(self) -> Self:
        if self.date_of_birth is not None and self.age_years is not None:
            raise ValueError("send a date of birth or an age, not both")
        return self


class PersonCreate(_PersonFields):
    kind: PersonKind
    roles: list[PersonRole] = Field(min_length=1, max_length=len(PersonRole))

    @field_validator("roles")
    @classmethod
    def _roles_once(cls, value: list | None) -> list | None:
        return _unique(value)

    @model_validator(mode="after")
    def _upn_only_for_children(self) -> Self:
        if self.upn is not None and self.kind not in (PersonKind.pupil, PersonKind.child_elsewhere):
            raise ValueError("a UPN belongs to a pupil")
        return self


class PersonUpdate(_PersonFields):
    """Only sent fields change (If-Match required)."""

    kind: PersonKind | None = None
    roles: list[PersonRole] | None = Field(default=None, min_length=1, max_length=len(PersonRole))

    @field_validator("roles")
    @classmethod
    def _roles_once(cls, value: list | None) -> list | None:
        return _unique(value)


class PersonOut(BaseModel):
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
    other_school_urn: str | None
    vulnerabilities: list[Vulnerability]
    created_at: datetime
    updated_at: datetime
    version: int


class PersonReceipt(BaseModel):
    """What the MIS client gets back: it may add people, not read them."""

    id: uuid.UUID
    incident_id: uuid.UUID
    version: int


class PersonPage(Page[PersonOut]):
    """A page of the incident's people, oldest first."""
