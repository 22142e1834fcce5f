from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.referrals.vocabulary import PoliceChannel


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: DecisionOutcome
    police_channel: PoliceChannel | None = None
    reasons: str | None = Field(default=None, max_length=10_000)


class DecisionOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    outcome: DecisionOutcome
    police_channel: PoliceChannel | None
    reasons: str | None
    decided_by: str
    decided_at: datetime
    police_referral_id: uuid.UUID | None = None
