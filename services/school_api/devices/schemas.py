from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from shared.pagination import Page

LABEL_MAX = 200


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ownership: DeviceOwner
    owner_person_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=LABEL_MAX)


class CustodyEventCreate(BaseModel):
    """One step of the chain of custody (APPX8 step 3). Needs the device's If-Match."""

    model_config = ConfigDict(extra="forbid")

    kind: CustodyEventKind
    occurred_at: AwareDatetime
    by_whom: str = Field(min_length=1, max_length=LABEL_MAX)
    to_whom: str | None = Field(default=None, max_length=LABEL_MAX)
    location: str | None = Field(default=None, max_length=LABEL_MAX)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is CustodyEventKind.handed_to_police and not self.to_whom:
            raise ValueError("a hand-over to the police names the officer it was handed to (to_whom)")
        if self.kind is CustodyEventKind.secured and not self.location:
            raise ValueError("a secured device names where it is kept (location)")
        return self


class CustodyEventOut(BaseModel):
    id: uuid.UUID
    device_id: uuid.UUID
    kind: CustodyEventKind
    occurred_at: datetime
    by_whom: str
    to_whom: str | None
    location: str | None
    recorded_by: str
    recorded_at: datetime


class DeviceOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    ownership: DeviceOwner
    owner_person_id: uuid.UUID | None
    description: str | None
    custody_state: CustodyEventKind | None
    secured_location: str | None
    held_by_school: bool
    created_at: datetime
    updated_at: datetime
    version: int
    custody: list[CustodyEventOut] = []


class DevicePage(Page[DeviceOut]):
    """A page of the incident's devices, each with its chain of custody, oldest first."""
