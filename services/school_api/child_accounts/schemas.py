from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.school_api.child_accounts.vocabulary import AccountGiven
from shared.pagination import Page


class ChildAccountCreate(BaseModel):
    """S-CHILD-VOICE: the child's own account and wishes, in their words, attributed to them (`person_id`)."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    given_at: AwareDatetime
    given: AccountGiven
    account: str | None = Field(default=None, max_length=10_000)
    wishes: str | None = Field(default=None, max_length=5_000)
    heard_by: str = Field(min_length=1, max_length=200)


class ChildAccountOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    person_id: uuid.UUID
    given_at: datetime
    given: AccountGiven
    account: str | None
    wishes: str | None
    heard_by: str
    recorded_by: str
    recorded_at: datetime


class ChildAccountPage(Page[ChildAccountOut]):
    """A page of the incident's child's accounts, oldest recorded first."""
