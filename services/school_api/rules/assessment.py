"""The risk assessment: S-IMMEDIATE, S-FACTORS, S-TYPOLOGY, and the recommendation they produce.

The DSL answers the questions; facts already in the record (rules.facts) are fed in so that the
answers cannot contradict them: a contradiction is refused, naming the rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor, Recommendation, Typology
from services.school_api.rules.facts import RecordFacts
from shared.problems import RuleViolation


@dataclass(frozen=True)
class ImmediateAnswers:
    adult_involved: bool = False
    coercion_blackmail_grooming_or_capacity: bool = False
    unusual_or_violent_acts: bool = False
    imagery_involves_sexual_acts: bool = False
    pictured_pupil_under_13: bool = False
    immediate_risk_of_harm: bool = False


@dataclass(frozen=True)
class FactorAnswers:
    significant_age_difference: bool = False
    external_coercion_or_encouragement: bool = False
    child_more_vulnerable: bool = False
    severe_or_extreme_image: bool = False
    widely_distributed: bool = False
    not_first_time: bool = False
    other_cause_for_concern: bool = False


@dataclass(frozen=True)
class Finding:
    met: tuple[str, ...] = ()
    violations: list[RuleViolation] = field(default_factory=list)


def s_immediate(answers: ImmediateAnswers, facts: RecordFacts) -> Finding:
    """S-IMMEDIATE: an immediate referral to police and/or children's social care if (1) an adult is involved;
    (2) coercion, blackmail, grooming, or concerns about capacity to consent; (3) sexual acts unusual for the
    developmental stage, or violent; (4) sexual acts and any pupil pictured under 13; (5) immediate risk of
    harm owing to the sharing. Criterion 4 is derived from two answers so that it cannot be ticked alone."""
    violations = []
    if facts.adult_involved and not answers.adult_involved:
        violations.append(RuleViolation("S-IMMEDIATE", "The record names an adult involved: criterion 1 cannot be answered no."))
    if facts.coercion_recorded and not answers.coercion_blackmail_grooming_or_capacity:
        violations.append(RuleViolation("S-IMMEDIATE", "The record names a coercer: criterion 2 cannot be answered no."))
    if facts.pictured_under_13 and not answers.pictured_pupil_under_13:
        violations.append(
            RuleViolation("S-IMMEDIATE", "The record shows a pictured pupil under 13: that answer cannot be no.")
        )
    under_13 = answers.pictured_pupil_under_13 or facts.pictured_under_13
    met = []
    if answers.adult_involved or facts.adult_involved:
        met.append(ImmediateCriterion.adult_involved)
    if answers.coercion_blackmail_grooming_or_capacity:
        met.append(ImmediateCriterion.coercion_blackmail_grooming_or_capacity)
    if answers.unusual_or_violent_acts:
        met.append(ImmediateCriterion.unusual_or_violent_acts)
    if answers.imagery_involves_sexual_acts and under_13:
        met.append(ImmediateCriterion.sexual_acts_pupil_under_13)
    if answers.immediate_risk_of_harm:
        met.append(ImmediateCriterion.immediate_risk_of_harm)
    return Finding(tuple(met), violations)


_FACT_FOR_FACTOR = {
    JudgementFactor.widely_distributed: "widely_distributed",
    JudgementFactor.child_more_vulnerable: "child_more_vulnerable",
    JudgementFactor.not_first_time: "previous_incident",
}


def s_factors(answers: FactorAnswers, facts: RecordFacts) -> Finding:
    """S-FACTORS: seven judgement factors; any that presents cause for concern means escalate or refer under
    normal safeguarding procedures; none means the school may manage it and records details, action and
    resolution. Wide distribution, a vulnerable child and a previous incident on the record force their factor."""
    violations = []
    present = []
    for factor in JudgementFactor:
        answered = getattr(answers, factor.value)
        fact_name = _FACT_FOR_FACTOR.get(factor)
        on_record = bool(fact_name and getattr(facts, fact_name))
        if on_record and not answered:
            violations.append(
                RuleViolation("S-FACTORS", f"The record already shows '{factor.value}': that factor cannot be answered no.")
            )
        if answered or on_record:
            present.append(factor)
    return Finding(tuple(present), violations)


def s_typology(typology: Typology, facts: RecordFacts, immediate: ImmediateAnswers) -> list[RuleViolation]:
    """S-TYPOLOGY (WF-2011): aggravated (adult involved; youth intent to harm; youth reckless misuse) or
    experimental (romantic; sexual attention seeking; other: no criminal element, no malice, willing
    participation). An adult on the record makes it 'aggravated: adult involved'; coercion, blackmail or
    grooming (answered, or a person recorded as a coercer) is not willing participation, so it cannot be
    experimental."""
    violations = []
    if (facts.adult_involved or immediate.adult_involved) and typology is not Typology.aggravated_adult_involved:
        violations.append(RuleViolation("S-TYPOLOGY", "An adult is involved: the typology is 'aggravated_adult_involved'."))
    if not typology.aggravated and (immediate.coercion_blackmail_grooming_or_capacity or facts.coercion_recorded):
        violations.append(
            RuleViolation("S-TYPOLOGY", "Coercion, blackmail or grooming is not willing participation: the incident is not experimental.")
        )
    return violations


_IMMEDIATE_REASONS = {
    ImmediateCriterion.adult_involved: "An adult is involved.",
    ImmediateCriterion.coercion_blackmail_grooming_or_capacity: "A young person may have been coerced, blackmailed or groomed, or their capacity to consent is in doubt.",
    ImmediateCriterion.unusual_or_violent_acts: "The imagery suggests sexual acts unusual for the developmental stage, or violence.",
    ImmediateCriterion.sexual_acts_pupil_under_13: "The imagery involves sexual acts and a pupil pictured is under 13.",
    ImmediateCriterion.immediate_risk_of_harm: "A young person is at immediate risk of harm owing to the sharing.",
}
_FACTOR_REASONS = {
    JudgementFactor.significant_age_difference: "There is a significant age difference between sender and receiver.",
    JudgementFactor.external_coercion_or_encouragement: "There was coercion or encouragement beyond the sender and receiver.",
    JudgementFactor.child_more_vulnerable: "A child involved is more vulnerable than usual.",
    JudgementFactor.severe_or_extreme_image: "The image is of a severe or extreme nature.",
    JudgementFactor.widely_distributed: "The situation is not isolated: the image has been more widely distributed.",
    JudgementFactor.not_first_time: "It is not the first time the children have been involved.",
    JudgementFactor.other_cause_for_concern: "Other knowledge of the sender or recipient adds cause for concern.",
}


@dataclass(frozen=True)
class Outcome:
    recommendation: Recommendation
    rule_ids: list[str]
    reasons: list[str]


def recommend(immediate: Finding, factors: Finding, typology: Typology) -> Outcome:
    """The recommendation with the rule ids and plain-English reasons that produced it."""
    if immediate.met:
        rule_ids = ["S-IMMEDIATE"]
        reasons = [_IMMEDIATE_REASONS[ImmediateCriterion(c)] for c in immediate.met]
        if ImmediateCriterion.adult_involved in immediate.met:
            rule_ids.append("S-POLICE")
            reasons.append("Conduct involving an adult is always referred to the police.")
        return Outcome(Recommendation.refer_police_immediately, rule_ids, reasons)
    if typology.aggravated:
        reasons = ["The incident is aggravated (criminal or abusive elements beyond creating and sending): aggravated incidents are almost always referred to the police."]
        reasons += [_FACTOR_REASONS[JudgementFactor(f)] for f in factors.met]
        return Outcome(Recommendation.refer_police, ["S-TYPOLOGY", "S-POLICE"] + (["S-FACTORS"] if factors.met else []), reasons)
    if factors.met:
        reasons = [_FACTOR_REASONS[JudgementFactor(f)] for f in factors.met]
        reasons.append("A factor presents cause for concern: escalate or refer under normal safeguarding procedures.")
        return Outcome(Recommendation.refer_social_care, ["S-FACTORS"], reasons)
    return Outcome(
        Recommendation.manage_in_school,
        ["S-FACTORS", "S-TYPOLOGY", "S-POLICE", "S-RECORD"],
        [
            "No immediate-referral criterion is met and no judgement factor presents cause for concern.",
            "The incident is experimental: it may proportionately be handled in school; record the reasons for not referring.",
            "Record details, action and resolution.",
        ],
    )
