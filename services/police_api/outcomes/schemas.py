from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.police_api.crimes.vocabulary import OutcomeCode
from services.police_api.persons.vocabulary import LinkRole
from shared.pagination import Page


class OutcomeIn(BaseModel):
    """An outcome from the Home Office list (0-22); 21 and 22 need a public-interest rationale."""

    model_config = ConfigDict(extra="forbid")

    code: OutcomeCode
    public_interest_rationale: str | None = Field(default=None, max_length=4000)


class NoticeOut(BaseModel):
    """P-NOTICE: the text for one young person on a crime finalised with Outcome 21."""

    person_id: uuid.UUID
    role: LinkRole
    offence_code: str
    text: str


class NoticePage(Page[NoticeOut]):
    """A page of the young person notices of a crime (P-NOTICE), victim first."""
