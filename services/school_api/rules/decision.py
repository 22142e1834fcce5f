"""The DSL's decision: S-POLICE and S-PARENTS (and S-IMMEDIATE's referral when a criterion is met)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.school_api.assessments.vocabulary import JudgementFactor, Typology
from services.school_api.decisions.vocabulary import DecisionOutcome
from shared.problems import RuleViolation

MIN_REASON_CHARS = 10


def _written(text: str | None) -> bool:
    return text is not None and len(text.strip()) >= MIN_REASON_CHARS


def s_police(outcome: DecisionOutcome, *, adult_involved: bool, typology: Typology | None, reasons: str | None) -> list[RuleViolation]:
    """S-POLICE: conduct involving, or possibly involving, adults is always referred to the police. Aggravated
    incidents are almost always referred: not referring one needs written reasons. Experimental conduct may be
    handled without the police; if it is not referred, the reasons are recorded in writing."""
    if outcome is DecisionOutcome.refer_police:
        return []
    if adult_involved:
        return [RuleViolation("S-POLICE", "An adult is or may be involved: the incident is always referred to the police.")]
    if typology is not None and typology.aggravated and not _written(reasons):
        return [RuleViolation("S-POLICE", "An aggravated incident not referred to the police needs written reasons.")]
    # Not referred to the police, whether managed in school or referred to social care only.
    if typology is not None and not typology.aggravated and not _written(reasons):
        return [RuleViolation("S-POLICE", "An experimental incident not referred needs its reasons recorded in writing.")]
    return []


def s_parents(inform_parents: bool, reason_not_to_inform: str | None) -> list[RuleViolation]:
    """S-PARENTS: parents or carers are informed early unless there is good reason to believe that doing so
    would put the young person at risk of harm; a decision not to inform is recorded with its reason."""
    if not inform_parents and not _written(reason_not_to_inform):
        return [RuleViolation("S-PARENTS", "A decision not to inform parents or carers must record its reason.")]
    return []


def factor_reasons_violations(
    outcome: DecisionOutcome, factors_present: tuple[JudgementFactor, ...], factor_reasons: Mapping[JudgementFactor, str]
) -> list[RuleViolation]:
    """S-FACTORS: if any factor presents cause for concern, escalate or refer under normal safeguarding
    procedures. Managing in school in spite of a factor is a judgement the DSL writes down for that factor,
    one reason per factor present; the refusal names each factor still without one."""
    if outcome is not DecisionOutcome.manage_in_school:
        return []
    return [
        RuleViolation("S-FACTORS", f"Factor '{factor.value}' is present: write why the school may still manage the incident itself.")
        for factor in factors_present
        if not _written(factor_reasons.get(factor))
    ]


@dataclass(frozen=True)
class DecisionFacts:
    adult_involved: bool
    typology: Typology | None
    immediate_criteria_met: bool
    factors_present: tuple[JudgementFactor, ...] = ()


def decision_violations(
    outcome: DecisionOutcome,
    facts: DecisionFacts,
    *,
    reasons: str | None,
    inform_parents: bool,
    reason_not_to_inform: str | None,
    factor_reasons: Mapping[JudgementFactor, str],
) -> list[RuleViolation]:
    violations = s_police(outcome, adult_involved=facts.adult_involved, typology=facts.typology, reasons=reasons)
    violations += factor_reasons_violations(outcome, facts.factors_present, factor_reasons)
    # S-IMMEDIATE: a met criterion means an immediate referral to the police and/or children's social care.
    if facts.immediate_criteria_met and outcome is DecisionOutcome.manage_in_school:
        violations.append(
            RuleViolation("S-IMMEDIATE", "An immediate-referral criterion is met: refer to the police or children's social care.")
        )
    violations += s_parents(inform_parents, reason_not_to_inform)
    return violations
