from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.school_api.authorisations.vocabulary import AuthorisationKind
from shared.pagination import Page


class AuthorisationCreate(BaseModel):
    """The headteacher agrees to a device search (S-SEARCH) or to the DSL viewing an image (S-IMAGE)."""

    model_config = ConfigDict(extra="forbid")

    kind: AuthorisationKind
    device_id: uuid.UUID | None = None
    authorised_person: str | None = Field(default=None, max_length=200)
    reason: str = Field(min_length=10, max_length=5_000)


class AuthorisationOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    kind: AuthorisationKind
    device_id: uuid.UUID | None
    authorised_person: str | None
    reason: str
    authorised_by: str
    authorised_at: datetime


class AuthorisationPage(Page[AuthorisationOut]):
    """A page of the incident's authorisations, oldest first."""
