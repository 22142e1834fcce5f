from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.police_api.routing.vocabulary import FindingAction, FullInvestigationIndicator, PoliceRank
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


class FindingDecisionRowOut(BaseModel):
    """A full-investigation finding cleared or overridden (P-FULL-INVESTIGATION): what, why, who, of what rank."""

    decision_id: uuid.UUID
    incident_id: uuid.UUID
    police_reference: str
    indicator: FullInvestigationIndicator
    action: FindingAction
    reason: str
    decided_by: str
    decided_by_rank: PoliceRank
    decided_at: datetime


class LateCrimePage(Page[LateCrimeOut]):
    """NCRS (P-CRIME): crimes recorded after their 24-hour deadline, latest recorded first."""


class UndecidedPage(Page[UndecidedOut]):
    """NCRS (P-CRIME): incidents with no crime decision yet (`overdue` once 24 hours have passed since the
    report), most overdue first."""


class FindingDecisionPage(Page[FindingDecisionRowOut]):
    """Every full-investigation finding cleared or overridden (P-FULL-INVESTIGATION), latest first."""
