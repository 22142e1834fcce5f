"""S-IMMEDIATE, S-FACTORS, S-TYPOLOGY and the recommendation, with the record's facts fed in."""
from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from services.school_api.assessments.vocabulary import ImmediateCriterion as C
from services.school_api.assessments.vocabulary import JudgementFactor as F
from services.school_api.assessments.vocabulary import Recommendation as R
from services.school_api.assessments.vocabulary import Typology as T
from services.school_api.incidents.vocabulary import SharingExtent
from services.school_api.people.vocabulary import PersonKind, PersonRole, Vulnerability
from services.school_api.rules.assessment import (
    FactorAnswers,
    Finding,
    ImmediateAnswers,
    recommend,
    s_factors,
    s_immediate,
    s_typology,
)
from services.school_api.rules.facts import PersonFacts, RecordFacts, derive_facts

NONE = RecordFacts()
DISCLOSED = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("answers", "met"),
    [
        ({}, []),
        ({"adult_involved": True}, [C.adult_involved]),
        ({"coercion_blackmail_grooming_or_capacity": True}, [C.coercion_blackmail_grooming_or_capacity]),
        ({"unusual_or_violent_acts": True}, [C.unusual_or_violent_acts]),
        ({"imagery_involves_sexual_acts": True, "pictured_pupil_under_13": True}, [C.sexual_acts_pupil_under_13]),
        ({"imagery_involves_sexual_acts": True}, []),  # sexual acts, nobody under 13: not criterion 4
        ({"pictured_pupil_under_13": True}, []),  # under 13, no sexual acts: not criterion 4
        ({"immediate_risk_of_harm": True}, [C.immediate_risk_of_harm]),
    ],
)
def test_each_immediate_referral_criterion_is_recognised(answers: dict, met: list) -> None:
    finding = s_immediate(ImmediateAnswers(**answers), NONE)
    assert list(finding.met) == met and finding.violations == []


def test_adult_on_the_record_cannot_be_answered_away() -> None:
    finding = s_immediate(ImmediateAnswers(), RecordFacts(adult_involved=True))
    assert [v.rule for v in finding.violations] == ["S-IMMEDIATE"]
    assert C.adult_involved in finding.met


def test_pictured_pupil_under_13_on_the_record_cannot_be_answered_away() -> None:
    facts = RecordFacts(pictured_under_13=True)
    assert [v.rule for v in s_immediate(ImmediateAnswers(imagery_involves_sexual_acts=True), facts).violations] == ["S-IMMEDIATE"]
    ok = s_immediate(ImmediateAnswers(imagery_involves_sexual_acts=True, pictured_pupil_under_13=True), facts)
    assert ok.violations == [] and C.sexual_acts_pupil_under_13 in ok.met


@pytest.mark.parametrize("factor", list(F))
def test_any_judgement_factor_is_cause_for_concern(factor: F) -> None:
    finding = s_factors(FactorAnswers(**{factor.value: True}), NONE)
    assert list(finding.met) == [factor]
    assert recommend(Finding(), finding, T.experimental_romantic).recommendation is R.refer_social_care


@pytest.mark.parametrize(
    ("fact", "factor"),
    [("widely_distributed", F.widely_distributed), ("child_more_vulnerable", F.child_more_vulnerable), ("previous_incident", F.not_first_time)],
)
def test_factor_on_the_record_cannot_be_answered_no(fact: str, factor: F) -> None:
    finding = s_factors(FactorAnswers(), replace(NONE, **{fact: True}))
    assert [v.rule for v in finding.violations] == ["S-FACTORS"]
    assert factor in finding.met


@pytest.mark.parametrize(
    ("typology", "facts", "immediate", "refused"),
    [
        (T.experimental_romantic, RecordFacts(adult_involved=True), ImmediateAnswers(adult_involved=True), True),
        (T.aggravated_youth_intent_to_harm, RecordFacts(adult_involved=True), ImmediateAnswers(adult_involved=True), True),
        (T.aggravated_adult_involved, RecordFacts(adult_involved=True), ImmediateAnswers(adult_involved=True), False),
        (T.experimental_other, NONE, ImmediateAnswers(coercion_blackmail_grooming_or_capacity=True), True),
        (T.aggravated_youth_intent_to_harm, NONE, ImmediateAnswers(coercion_blackmail_grooming_or_capacity=True), False),
        (T.experimental_romantic, NONE, ImmediateAnswers(), False),
    ],
)
def test_typology_follows_adult_involvement_and_willing_participation(typology: T, facts: RecordFacts, immediate: ImmediateAnswers, refused: bool) -> None:
    violations = s_typology(typology, facts, immediate)
    assert bool(violations) is refused
    assert all(v.rule == "S-TYPOLOGY" for v in violations)


def test_aggravated_types_are_the_three_of_the_typology() -> None:
    assert {t for t in T if t.aggravated} == {T.aggravated_adult_involved, T.aggravated_youth_intent_to_harm, T.aggravated_youth_reckless_misuse}


@pytest.mark.parametrize(
    ("immediate", "factors", "typology", "expected", "rule"),
    [
        (ImmediateAnswers(adult_involved=True), FactorAnswers(), T.aggravated_adult_involved, R.refer_police_immediately, "S-POLICE"),
        (ImmediateAnswers(immediate_risk_of_harm=True), FactorAnswers(), T.experimental_romantic, R.refer_police_immediately, "S-IMMEDIATE"),
        (ImmediateAnswers(), FactorAnswers(), T.aggravated_youth_reckless_misuse, R.refer_police, "S-TYPOLOGY"),
        (ImmediateAnswers(), FactorAnswers(severe_or_extreme_image=True), T.experimental_other, R.refer_social_care, "S-FACTORS"),
        (ImmediateAnswers(), FactorAnswers(), T.experimental_romantic, R.manage_in_school, "S-FACTORS"),
    ],
)
def test_recommendation_cites_the_rules_that_produced_it(
    immediate: ImmediateAnswers, factors: FactorAnswers, typology: T, expected: R, rule: str
) -> None:
    outcome = recommend(s_immediate(immediate, NONE), s_factors(factors, NONE), typology)
    assert outcome.recommendation is expected
    assert rule in outcome.rule_ids
    assert outcome.reasons and all(isinstance(reason, str) and reason for reason in outcome.reasons)


def test_record_facts_are_derived_from_people_and_sharing() -> None:
    people = [
        PersonFacts(PersonKind.pupil, frozenset({PersonRole.pictured}), date_of_birth=date(2014, 1, 1)),
        PersonFacts(PersonKind.adult, frozenset({PersonRole.recipient})),
        PersonFacts(PersonKind.child_elsewhere, frozenset({PersonRole.coercer})),
        PersonFacts(PersonKind.pupil, frozenset({PersonRole.sender}), age_years=15, vulnerabilities=frozenset({Vulnerability.looked_after, Vulnerability.previous_incident})),
    ]
    facts = derive_facts(people, SharingExtent.widely, DISCLOSED)
    assert all(getattr(facts, f.name) for f in fields(facts))


def test_pictured_pupil_aged_13_on_disclosure_day_is_not_under_13() -> None:
    person = PersonFacts(PersonKind.pupil, frozenset({PersonRole.pictured}), date_of_birth=date(2013, 11, 27))
    assert derive_facts([person], None, DISCLOSED).pictured_under_13 is False
    younger = PersonFacts(PersonKind.pupil, frozenset({PersonRole.pictured}), date_of_birth=date(2013, 11, 28))
    assert derive_facts([younger], None, DISCLOSED).pictured_under_13 is True
    sender_only = PersonFacts(PersonKind.pupil, frozenset({PersonRole.sender}), age_years=11)
    assert derive_facts([sender_only], SharingExtent.few_people, DISCLOSED) == RecordFacts()


@pytest.mark.parametrize(
    ("kind", "roles", "adult_involved"),
    [
        (PersonKind.adult, {PersonRole.discloser}, False),  # a parent who reports the incident is not involved in it
        (PersonKind.adult, {PersonRole.pictured}, False),
        (PersonKind.adult, {PersonRole.requester}, True),
        (PersonKind.adult, {PersonRole.discloser, PersonRole.possessor}, True),
        (PersonKind.unknown, {PersonRole.recipient}, True),  # S-POLICE "possibly involving" an adult
        (PersonKind.child_elsewhere, {PersonRole.requester}, False),
    ],
)
def test_adult_involvement_is_the_shared_definition(kind: PersonKind, roles: set, adult_involved: bool) -> None:
    assert derive_facts([PersonFacts(kind, frozenset(roles))], None, DISCLOSED).adult_involved is adult_involved


def test_a_recorded_coercer_cannot_be_answered_away_and_is_not_experimental() -> None:
    facts = derive_facts([PersonFacts(PersonKind.child_elsewhere, frozenset({PersonRole.coercer}))], None, DISCLOSED)
    assert facts == RecordFacts(coercion_recorded=True)
    refused = s_immediate(ImmediateAnswers(), facts)
    assert [(v.rule, v.message) for v in refused.violations] == [
        ("S-IMMEDIATE", "The record names a coercer: criterion 2 cannot be answered no.")
    ]
    assert s_immediate(ImmediateAnswers(coercion_blackmail_grooming_or_capacity=True), facts).violations == []
    assert [v.rule for v in s_typology(T.experimental_other, facts, ImmediateAnswers())] == ["S-TYPOLOGY"]
    assert s_typology(T.aggravated_youth_intent_to_harm, facts, ImmediateAnswers()) == []
