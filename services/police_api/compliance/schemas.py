from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.pagination import Page


class LateCrimeOut(BaseModel):
    crime_id: uuid.UUID
    incident_id: uuid.UUID
    police_reference: str
    offence_code: str
    deadline_at: datetime
    recorded_at: datetime
    late_by_seconds: int


class UndecidedOut(BaseModel):
    incident_id: uuid.UUID
    report_id: uuid.UUID | None
    police_reference: str
    deadline_at: datetime
    overdue: bool
    time_left_seconds: int


class LateCrimePage(Page[LateCrimeOut]):
    """NCRS (P-CRIME): crimes recorded after their 24-hour deadline, latest recorded first."""


class UndecidedPage(Page[UndecidedOut]):
    """NCRS (P-CRIME): incidents with no crime decision yet (`overdue` once 24 hours have passed since the
    report), most overdue first."""
