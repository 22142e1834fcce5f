"""S-POLICE and S-PARENTS: the decision (table-driven)."""
from __future__ import annotations

import pytest

from services.school_api.assessments.vocabulary import JudgementFactor as F
from services.school_api.assessments.vocabulary import Typology as T
from services.school_api.decisions.vocabulary import DecisionOutcome as D
from services.school_api.rules.decision import DecisionFacts, decision_violations, factor_reasons_violations, s_parents, s_police

WHY = "Self-generated image shared with a partner; both willing; education input instead."


@pytest.mark.parametrize("outcome", [D.manage_in_school, D.refer_social_care])
def test_adult_involvement_forces_police_referral(outcome: D) -> None:
    for reasons in (None, WHY):
        violations = s_police(outcome, adult_involved=True, typology=T.aggravated_adult_involved, reasons=reasons)
        assert [v.rule for v in violations] == ["S-POLICE"]


def test_adult_involvement_referred_to_police_is_allowed() -> None:
    assert s_police(D.refer_police, adult_involved=True, typology=T.aggravated_adult_involved, reasons=None) == []


@pytest.mark.parametrize(
    ("outcome", "typology", "reasons", "refused"),
    [
        (D.manage_in_school, T.aggravated_youth_intent_to_harm, None, True),  # aggravated: almost always referred
        (D.manage_in_school, T.aggravated_youth_reckless_misuse, WHY, False),
        (D.refer_social_care, T.aggravated_youth_intent_to_harm, None, True),
        (D.manage_in_school, T.experimental_romantic, None, True),  # experimental not referred: reasons in writing
        (D.manage_in_school, T.experimental_sexual_attention_seeking, WHY, False),
        (D.refer_social_care, T.experimental_other, None, True),  # social care alone is still not the police
        (D.refer_police, T.experimental_romantic, None, False),
    ],
)
def test_not_referring_needs_written_reasons(outcome: D, typology: T, reasons: str | None, refused: bool) -> None:
    violations = s_police(outcome, adult_involved=False, typology=typology, reasons=reasons)
    assert bool(violations) is refused
    assert all(v.rule == "S-POLICE" for v in violations)


@pytest.mark.parametrize(
    ("inform", "reason", "refused"),
    [(True, None, False), (False, None, True), (False, "  ", True), (False, "Informing the father would put the pupil at risk.", False)],
)
def test_not_informing_parents_needs_a_reason(inform: bool, reason: str | None, refused: bool) -> None:
    violations = s_parents(inform, reason)
    assert bool(violations) is refused
    assert all(v.rule == "S-PARENTS" for v in violations)


def test_immediate_criterion_met_cannot_be_managed_in_school() -> None:
    facts = DecisionFacts(adult_involved=False, typology=T.experimental_romantic, immediate_criteria_met=True)
    violations = decision_violations(D.manage_in_school, facts, reasons=WHY, inform_parents=True, reason_not_to_inform=None, factor_reasons={})
    assert [v.rule for v in violations] == ["S-IMMEDIATE"]
    assert decision_violations(D.refer_social_care, facts, reasons=WHY, inform_parents=True, reason_not_to_inform=None, factor_reasons={}) == []


AGE = "Fifteen and seventeen in the same sixth-form group; no power imbalance seen."


def test_managing_in_school_with_a_factor_present_needs_a_reason_for_that_factor() -> None:
    present = (F.significant_age_difference, F.not_first_time)
    violations = factor_reasons_violations(D.manage_in_school, present, {F.significant_age_difference: AGE})
    assert [(v.rule, v.message) for v in violations] == [
        ("S-FACTORS", "Factor 'not_first_time' is present: write why the school may still manage the incident itself.")
    ]
    assert factor_reasons_violations(D.manage_in_school, present, {F.significant_age_difference: AGE, F.not_first_time: AGE}) == []
    assert len(factor_reasons_violations(D.manage_in_school, present, {F.not_first_time: "   too short  "})) == 2
    assert factor_reasons_violations(D.manage_in_school, (), {}) == []


@pytest.mark.parametrize("outcome", [D.refer_social_care, D.refer_police])
def test_escalating_with_a_factor_present_needs_no_factor_reason(outcome: D) -> None:
    assert factor_reasons_violations(outcome, (F.severe_or_extreme_image,), {}) == []


def test_the_decision_names_each_factor_without_a_reason() -> None:
    facts = DecisionFacts(adult_involved=False, typology=T.experimental_romantic, immediate_criteria_met=False, factors_present=(F.widely_distributed,))
    violations = decision_violations(D.manage_in_school, facts, reasons=WHY, inform_parents=True, reason_not_to_inform=None, factor_reasons={})
    assert [v.rule for v in violations] == ["S-FACTORS"] and "widely_distributed" in violations[0].message
