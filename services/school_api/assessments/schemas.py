from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor, Recommendation, Typology
from shared.pagination import Page


class ImmediateAnswersIn(BaseModel):
    """S-IMMEDIATE, answered by the DSL. Criterion 4 is derived: sexual acts AND a pictured pupil under 13."""

    model_config = ConfigDict(extra="forbid")

    adult_involved: bool
    coercion_blackmail_grooming_or_capacity: bool
    unusual_or_violent_acts: bool
    imagery_involves_sexual_acts: bool
    pictured_pupil_under_13: bool
    immediate_risk_of_harm: bool


class FactorAnswersIn(BaseModel):
    """S-FACTORS, the seven judgement factors."""

    model_config = ConfigDict(extra="forbid")

    significant_age_difference: bool
    external_coercion_or_encouragement: bool
    child_more_vulnerable: bool
    severe_or_extreme_image: bool
    widely_distributed: bool
    not_first_time: bool
    other_cause_for_concern: bool


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    immediate: ImmediateAnswersIn
    factors: FactorAnswersIn
    typology: Typology
    notes: str | None = Field(default=None, max_length=10_000)


class AssessmentOut(BaseModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    immediate_answers: dict[str, bool]
    factor_answers: dict[str, bool]
    immediate_criteria_met: list[ImmediateCriterion]
    factors_present: list[JudgementFactor]
    typology: Typology
    recommendation: Recommendation
    rule_ids: list[str]
    reasons: list[str]
    notes: str | None
    assessed_by: str
    assessed_at: datetime


class AssessmentPage(Page[AssessmentOut]):
    """A page of the incident's assessments, oldest first."""
