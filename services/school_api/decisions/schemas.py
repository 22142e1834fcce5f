from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from services.school_api.assessments.vocabulary import JudgementFactor
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.referrals.vocabulary import PoliceChannel


class DecisionCreate(BaseModel):
    """S-POLICE and S-PARENTS: where the incident goes, why, and whether parents are informed."""

    model_config = ConfigDict(extra="forbid")

    outcome: DecisionOutcome
    police_channel: PoliceChannel | None = None
    reasons: str | None = Field(default=None, max_length=10_000)
    inform_parents: bool = True
    parents_not_informed_reason: str | None = Field(default=None, max_length=5_000)
    safeguards: str | None = Field(default=None, max_length=5_000)
    # S-FACTORS: managing in school while a judgement factor is present needs a written reason per factor.
    factor_reasons: dict[JudgementFactor, Annotated[str, Field(max_length=5_000)]] = Field(
        default_factory=dict, max_length=len(JudgementFactor)
    )


class DecisionOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    outcome: DecisionOutcome
    police_channel: PoliceChannel | None
    reasons: str | None
    inform_parents: bool
    parents_not_informed_reason: str | None
    safeguards: str | None
    # A decision recorded before issue 12 holds no factor reasons (NULL): none were asked for.
    factor_reasons: Annotated[dict[JudgementFactor, str], BeforeValidator(lambda value: value or {})]
    assessment_id: uuid.UUID | None
    decided_by: str
    decided_at: datetime
    police_referral_id: uuid.UUID | None = None
