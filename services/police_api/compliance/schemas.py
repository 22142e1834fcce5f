from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


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


class ComplianceOut(BaseModel):
    """NCRS (P-CRIME): crimes recorded after their deadline; incidents with no crime decision yet
    (`overdue` once 24 hours have passed since the report)."""

    as_of: datetime
    late_crimes: list[LateCrimeOut]
    undecided: list[UndecidedOut]
