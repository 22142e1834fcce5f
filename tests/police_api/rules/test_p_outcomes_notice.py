"""P-OUTCOME21, P-OUTCOME22, P-NO-CRIMINALISE, P-AGE-OF-RESPONSIBILITY and P-NOTICE."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.police_api.crimes.vocabulary import OUTCOME_LABELS, OutcomeCode
from services.police_api.rules.notice import check_notice_applies, check_notice_given, young_person_notice
from services.police_api.rules.outcomes import (
    CRIMINALISING_OUTCOMES,
    SUSPECT_OUTCOMES,
    OutcomeFacts,
    age_of_responsibility_violations,
    is_self_image_only,
    no_criminalise_violations,
    outcome21_violations,
    outcome22_violations,
    outcome_violations,
)

READY = OutcomeFacts(
    crime_recorded=True,
    unacknowledged_ppu_notifications=0,
    named_suspects_or_persons_involved=1,
    adult_implicated=False,
    repeat_flagged=False,
    checks_overridden_with_reason=False,
    public_interest_rationale="Non-abusive, no exploitation.",
    victim_is_child=True,
    contacts_recorded=frozenset({"parent_or_guardian"}),
    no_prosecution_decision_recorded=True,
)


def test_outcome_code_list_is_the_full_home_office_list_0_to_22() -> None:
    assert [code.value for code in OutcomeCode] == list(range(23))
    assert set(OUTCOME_LABELS) == set(OutcomeCode)


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({}, []),
        ({"crime_recorded": False}, ["P-CRIME"]),
        ({"unacknowledged_ppu_notifications": 2}, ["P-PPU"]),
        ({"named_suspects_or_persons_involved": 0}, ["P-OUTCOME21"]),
        ({"adult_implicated": True}, ["P-FULL-INVESTIGATION"]),
        ({"repeat_flagged": True}, ["P-REPEAT"]),
        ({"repeat_flagged": True, "checks_overridden_with_reason": True}, []),
        ({"unresolved_findings": ("coercion",)}, ["P-FULL-INVESTIGATION"]),
        # A route override sets aside the repeat flag, never a finding: findings are decided one by one.
        ({"unresolved_findings": ("coercion",), "checks_overridden_with_reason": True}, ["P-FULL-INVESTIGATION"]),
        ({"adult_implicated": True, "checks_overridden_with_reason": True}, ["P-FULL-INVESTIGATION"]),  # never overridable
        ({"no_prosecution_decision_recorded": False}, ["P-ROUTE"]),
        ({"public_interest_rationale": None}, ["P-OUTCOME21"]),
        ({"public_interest_rationale": "  "}, ["P-OUTCOME21"]),
        ({"contacts_recorded": frozenset()}, ["P-OUTCOME21"]),
        ({"contacts_recorded": frozenset({"victim"})}, ["P-OUTCOME21"]),  # a child victim: a parent or guardian
        ({"contacts_recorded": frozenset({"victim"}), "victim_is_child": False}, []),
        ({"contacts_recorded": frozenset({"parent_or_guardian"}), "victim_is_child": False}, []),
    ],
)
def test_outcome_21_is_refused_unless_every_precondition_holds(changes: dict, rules: list[str]) -> None:
    assert [v.rule for v in outcome21_violations(replace(READY, **changes))] == rules


def test_outcome_21_and_22_refusals_name_each_finding_that_blocks_them() -> None:
    facts = replace(READY, unresolved_findings=("exploitation", "profit_motive"))
    reasons21 = [v.message for v in outcome21_violations(facts)]
    assert reasons21 == [
        "The finding 'exploitation' calls for a full investigation and is not overridden: Outcome 21 does not apply.",
        "The finding 'profit motive' calls for a full investigation and is not overridden: Outcome 21 does not apply.",
    ]
    reasons22 = [v.message for v in outcome22_violations(facts)]
    assert reasons22 == [r.replace("Outcome 21", "Outcome 22") for r in reasons21]


def test_outcome_21_refusal_names_every_unmet_condition_with_its_reason() -> None:
    nothing = OutcomeFacts(
        crime_recorded=False,
        unacknowledged_ppu_notifications=1,
        named_suspects_or_persons_involved=0,
        adult_implicated=True,
        repeat_flagged=True,
        checks_overridden_with_reason=False,
        public_interest_rationale=None,
        victim_is_child=True,
        unresolved_findings=("coercion",),
    )
    assert [(v.rule, v.message) for v in outcome21_violations(nothing)] == [
        ("P-CRIME", "The crime is not recorded."),
        ("P-PPU", "1 child PPU notification(s) not acknowledged."),
        ("P-OUTCOME21", "No named suspect or person involved is linked to the crime."),
        ("P-FULL-INVESTIGATION", "An adult is implicated: Outcome 21 does not apply."),
        ("P-REPEAT", "A suspect is flagged as a repeat and no override with a reason is recorded."),
        ("P-FULL-INVESTIGATION", "The finding 'coercion' calls for a full investigation and is not overridden: Outcome 21 does not apply."),
        ("P-ROUTE", "No recorded decision not to prosecute (the SCPO route)."),
        ("P-OUTCOME21", "No public-interest rationale is written."),
        ("P-OUTCOME21", "No recorded contact informing a parent or guardian of the child victim of the outcome."),
    ]
    adult_victim = replace(nothing, victim_is_child=False)
    assert outcome21_violations(adult_victim)[-1].message == "No recorded contact informing the victim of the outcome."


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({}, []),
        ({"named_subjects_without_activity": 1}, ["P-OUTCOME22"]),
        ({"named_suspects_or_persons_involved": 0}, ["P-OUTCOME22"]),
        ({"public_interest_rationale": None}, ["P-OUTCOME22"]),
        ({"public_interest_rationale": " "}, ["P-OUTCOME22"]),
        ({"unresolved_findings": ("grooming",)}, ["P-FULL-INVESTIGATION"]),
        ({"crime_recorded": False, "named_subjects_without_activity": 2}, ["P-CRIME", "P-OUTCOME22"]),
    ],
)
def test_outcome_22_needs_a_named_suspect_with_their_own_activity(changes: dict, rules: list[str]) -> None:
    assert [v.rule for v in outcome22_violations(replace(READY, **changes))] == rules


def test_outcome_22_refusal_says_what_is_missing() -> None:
    missing = replace(READY, named_suspects_or_persons_involved=0, named_subjects_without_activity=2, public_interest_rationale=None)
    assert [v.message for v in outcome22_violations(missing)] == [
        "No named suspect or person involved is linked to the crime.",
        "2 named suspect(s) on the crime have no diversionary, educational or intervention activity of their own "
        "(an offender input or a restorative meeting they attended).",
        "No rationale that further action is not in the public interest.",
    ]


def test_sanction_outcomes_are_charge_cautions_penalty_notice_and_community_resolution() -> None:
    assert {code.value for code in CRIMINALISING_OUTCOMES} == {1, 2, 3, 6, 8}


@pytest.mark.parametrize("code", sorted(CRIMINALISING_OUTCOMES))
def test_children_are_not_criminalised_for_images_of_themselves(code: OutcomeCode) -> None:
    refused = no_criminalise_violations(code, replace(READY, self_image_only_child_suspects=1))
    assert [v.rule for v in refused] == ["P-NO-CRIMINALISE"]
    assert refused[0].message == (
        "A child suspect only took or shared images of themselves: prosecution or a formal sanction is refused."
    )
    assert no_criminalise_violations(code, READY) == []
    assert [v.rule for v in outcome_violations(code, replace(READY, self_image_only_child_suspects=1))] == ["P-NO-CRIMINALISE"]


@pytest.mark.parametrize(
    "code", [OutcomeCode.further_investigation_not_in_public_interest, OutcomeCode.taken_into_consideration, OutcomeCode.cannabis_khat_warning]
)
def test_non_sanction_outcomes_are_open_to_a_child_who_shared_their_own_image(code: OutcomeCode) -> None:
    assert no_criminalise_violations(code, replace(READY, self_image_only_child_suspects=1)) == []


@pytest.mark.parametrize(
    ("roles", "self_only"),
    [
        (["pictured", "sender"], True),
        (["pictured"], True),
        (["pictured", "sender", "recipient", "discloser"], True),
        (["pictured", "sharer"], False),
        (["pictured", "possessor"], False),
        (["pictured", "requester"], False),
        (["sender"], False),
    ],
)
def test_self_image_only_means_pictured_and_at_most_sent_it(roles: list[str], self_only: bool) -> None:
    assert is_self_image_only(roles) is self_only


def test_outcomes_naming_a_suspect_are_all_but_under_age_no_suspect_fraud_and_transfer() -> None:
    assert {code.value for code in SUSPECT_OUTCOMES} == set(range(1, 23)) - {11, 14, 18, 19, 20}


@pytest.mark.parametrize("code", sorted(SUSPECT_OUTCOMES))
def test_a_child_under_10_on_a_crime_refuses_every_outcome_that_implies_a_suspect(code: OutcomeCode) -> None:
    facts = replace(READY, under_age_subjects=1, named_subjects_without_activity=0)
    rules = [v.rule for v in outcome_violations(code, facts)]
    assert rules[-1] == "P-AGE-OF-RESPONSIBILITY"
    assert age_of_responsibility_violations(code, READY) == []


def test_outcome_11_is_the_outcome_for_a_suspect_under_the_age_of_criminal_responsibility() -> None:
    facts = replace(READY, under_age_subjects=2)
    assert outcome_violations(OutcomeCode.prosecution_prevented_suspect_under_age, facts) == []
    [refusal] = age_of_responsibility_violations(OutcomeCode.caution_youth, facts)
    assert refusal.message == (
        "2 suspect(s) on the crime are under the age of criminal responsibility: Outcome 2 implies a suspect who can offend."
    )


def test_outcome_0_is_never_a_final_outcome_and_other_codes_need_a_recorded_crime() -> None:
    assert [(v.rule, v.message) for v in outcome_violations(OutcomeCode.not_yet_assigned, READY)] == [
        ("P-CRIME", "Outcome 0 means not yet assigned; a crime is finalised with an actual outcome.")
    ]
    assert outcome_violations(OutcomeCode.investigation_complete_no_suspect_identified, READY) == []
    assert [v.rule for v in outcome_violations(OutcomeCode.evidential_difficulties_suspect_identified_victim_supports, replace(READY, crime_recorded=False))] == ["P-CRIME"]
    assert outcome_violations(OutcomeCode.further_investigation_not_in_public_interest, replace(READY, public_interest_rationale=None))
    assert outcome_violations(OutcomeCode.diversionary_educational_or_intervention_activity, replace(READY, named_subjects_without_activity=1))


def test_young_person_notice_names_the_crime_type_and_says_no_further_action_and_dbs() -> None:
    text = young_person_notice(crime_type="Possession of an indecent photograph of a child", offence_code="86/10")
    assert text.startswith(
        "You have been recorded on police systems against the crime of possession of an indecent photograph of a child "
        "(Home Office classification 86/10), and the police have taken no further action."
    )
    assert "enhanced DBS check" in text and "pattern of behaviour" in text
    assert "all the information available at that time" in text
    assert "may affect employability" in text


@pytest.mark.parametrize(
    ("outcome", "applies"),
    [(OutcomeCode.further_investigation_not_in_public_interest, True), (OutcomeCode.diversionary_educational_or_intervention_activity, False), (None, False)],
)
def test_notice_is_produced_only_for_outcome_21(outcome: OutcomeCode | None, applies: bool) -> None:
    assert (check_notice_applies(outcome) == []) is applies
    if not applies:
        assert [v.rule for v in check_notice_applies(outcome)] == ["P-NOTICE"]


NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("on_the_notices", "given_at", "finalised_at", "reasons"),
    [
        (True, NOW, NOW - timedelta(hours=1), []),
        (True, NOW - timedelta(hours=1), NOW - timedelta(hours=1), []),
        (False, NOW, NOW - timedelta(hours=1), ["That person is not a young person on this crime's notices."]),
        (True, NOW + timedelta(seconds=1), NOW - timedelta(hours=1), ["A notice cannot be given in the future."]),
        (True, NOW - timedelta(hours=2), NOW - timedelta(hours=1), ["A notice is given after the crime is finalised with Outcome 21."]),
        (True, NOW - timedelta(hours=2), None, []),
    ],
)
def test_a_notice_is_recorded_as_given_to_a_young_person_after_the_outcome_and_not_in_the_future(
    on_the_notices: bool, given_at: datetime, finalised_at: datetime | None, reasons: list[str]
) -> None:
    violations = check_notice_given(on_the_notices=on_the_notices, given_at=given_at, finalised_at=finalised_at, now=NOW)
    assert [v.message for v in violations] == reasons
    assert all(v.rule == "P-NOTICE" for v in violations)
