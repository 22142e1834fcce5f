from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.school_api.referrals.vocabulary import DeliveryState, PoliceChannel
from shared.pagination import Page


class PoliceStatus(BaseModel):
    """The police's answer for this report, refreshed by the relay without anyone asking."""

    police_reference: str
    crimes_recorded: int
    crime_decision_made: bool
    ppu_notified: bool
    route: str | None
    outcome_codes: list[int]
    outcome: str | None
    finalised: bool
    updated_at: datetime
    crime_decision_at: datetime | None = None
    ppu_notified_at: datetime | None = None
    routed_at: datetime | None = None
    finalised_at: datetime | None = None


class PoliceStatusChange(BaseModel):
    position: int
    report_id: uuid.UUID
    changed_at: datetime
    status: PoliceStatus


class PoliceStatusPage(BaseModel):
    """A page of the school's status feed at the police (services/police_api/feed/schemas.py)."""

    items: list[PoliceStatusChange]
    next_cursor: str | None


class ReferralOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    channel: PoliceChannel
    delivery_state: DeliveryState
    attempts: int
    last_error: dict[str, Any] | None
    police_reference: str | None
    delivered_at: datetime | None
    police_status: PoliceStatus | None
    police_status_checked_at: datetime | None
    created_at: datetime


class ReferralPage(Page[ReferralOut]):
    """A page of the incident's police referrals, oldest first."""
