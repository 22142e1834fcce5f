"""Vocabularies of the risk assessment (S-IMMEDIATE, S-FACTORS, S-TYPOLOGY)."""
from __future__ import annotations

from enum import StrEnum


class Typology(StrEnum):
    """WF-2011 typology (S-TYPOLOGY)."""

    aggravated_adult_involved = "aggravated_adult_involved"
    aggravated_youth_intent_to_harm = "aggravated_youth_intent_to_harm"
    aggravated_youth_reckless_misuse = "aggravated_youth_reckless_misuse"
    experimental_romantic = "experimental_romantic"
    experimental_sexual_attention_seeking = "experimental_sexual_attention_seeking"
    experimental_other = "experimental_other"

    @property
    def aggravated(self) -> bool:
        return self.name.startswith("aggravated")


class Recommendation(StrEnum):
    refer_police_immediately = "refer_police_immediately"
    refer_police = "refer_police"
    refer_social_care = "refer_social_care"
    manage_in_school = "manage_in_school"


class ImmediateCriterion(StrEnum):
    """The five S-IMMEDIATE criteria, in the guidance's order."""

    adult_involved = "adult_involved"
    coercion_blackmail_grooming_or_capacity = "coercion_blackmail_grooming_or_capacity"
    unusual_or_violent_acts = "unusual_or_violent_acts"
    sexual_acts_pupil_under_13 = "sexual_acts_pupil_under_13"
    immediate_risk_of_harm = "immediate_risk_of_harm"


class JudgementFactor(StrEnum):
    """The seven S-FACTORS, in the guidance's order."""

    significant_age_difference = "significant_age_difference"
    external_coercion_or_encouragement = "external_coercion_or_encouragement"
    child_more_vulnerable = "child_more_vulnerable"
    severe_or_extreme_image = "severe_or_extreme_image"
    widely_distributed = "widely_distributed"
    not_first_time = "not_first_time"
    other_cause_for_concern = "other_cause_for_concern"
