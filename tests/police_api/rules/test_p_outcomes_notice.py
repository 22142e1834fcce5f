"""P-OUTCOME21, P-OUTCOME22, P-NO-CRIMINALISE and P-NOTICE."""
from __future__ import annotations

from dataclasses import replace

import pytest

from services.police_api.crimes.vocabulary import OUTCOME_LABELS, OutcomeCode
from services.police_api.rules.notice import check_notice_applies, young_person_notice
from services.police_api.rules.outcomes import (
    OutcomeFacts,
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
    full_investigation_flagged=False,
    checks_overridden_with_reason=False,
    public_interest_rationale="Non-abusive, no exploitation.",
    victim_is_child=True,
    contacts_recorded=frozenset({"parent_or_guardian"}),
    no_prosecution_decision_recorded=True,
    diversionary_activity_recorded=True,
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
        ({"full_investigation_flagged": True}, ["P-FULL-INVESTIGATION"]),
        ({"full_investigation_flagged": True, "checks_overridden_with_reason": True}, []),
        ({"adult_implicated": True, "checks_overridden_with_reason": True}, ["P-FULL-INVESTIGATION"]),  # never overridable
        ({"no_prosecution_decision_recorded": False}, ["P-ROUTE"]),
        ({"public_interest_rationale": None}, ["P-OUTCOME21"]),
        ({"public_interest_rationale": "  "}, ["P-OUTCOME21"]),
        ({"contacts_recorded": frozenset()}, ["P-OUTCOME21"]),
        ({"contacts_recorded": frozenset({"victim"})}, ["P-OUTCOME21"]),  # a child victim: a parent or guardian
        ({"contacts_recorded": frozenset({"victim"}), "victim_is_child": False}, []),
    ],
)
def test_outcome_21_is_refused_unless_every_precondition_holds(changes: dict, rules: list[str]) -> None:
    assert [v.rule for v in outcome21_violations(replace(READY, **changes))] == rules


def test_outcome_21_refusal_names_every_unmet_condition() -> None:
    nothing = OutcomeFacts(
        crime_recorded=False,
        unacknowledged_ppu_notifications=1,
        named_suspects_or_persons_involved=0,
        adult_implicated=True,
        repeat_flagged=True,
        full_investigation_flagged=True,
        checks_overridden_with_reason=False,
        public_interest_rationale=None,
        victim_is_child=True,
    )
    violations = outcome21_violations(nothing)
    assert len(violations) == 9
    assert {v.rule for v in violations} == {"P-CRIME", "P-PPU", "P-OUTCOME21", "P-FULL-INVESTIGATION", "P-REPEAT", "P-ROUTE"}


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({}, []),
        ({"diversionary_activity_recorded": False}, ["P-OUTCOME22"]),
        ({"public_interest_rationale": None}, ["P-OUTCOME22"]),
        ({"crime_recorded": False, "diversionary_activity_recorded": False}, ["P-CRIME", "P-OUTCOME22"]),
    ],
)
def test_outcome_22_needs_the_diversionary_or_educational_activity_recorded(changes: dict, rules: list[str]) -> None:
    assert [v.rule for v in outcome22_violations(replace(READY, **changes))] == rules


@pytest.mark.parametrize(
    ("code", "self_image_children", "refused"),
    [
        (OutcomeCode.charged_summonsed, 1, True),
        (OutcomeCode.caution_youth, 1, True),
        (OutcomeCode.penalty_notice_for_disorder, 1, True),
        (OutcomeCode.charged_summonsed, 0, False),
        (OutcomeCode.further_investigation_not_in_public_interest, 1, False),
        (OutcomeCode.community_resolution, 1, False),
    ],
)
def test_children_are_not_criminalised_for_images_of_themselves(code: OutcomeCode, self_image_children: int, refused: bool) -> None:
    violations = no_criminalise_violations(code, replace(READY, self_image_only_child_suspects=self_image_children))
    assert bool(violations) is refused and all(v.rule == "P-NO-CRIMINALISE" for v in violations)


@pytest.mark.parametrize(
    ("roles", "self_only"),
    [(["pictured", "sender"], True), (["pictured"], True), (["pictured", "sharer"], False), (["sender"], False)],
)
def test_self_image_only_means_pictured_and_at_most_sent_it(roles: list[str], self_only: bool) -> None:
    assert is_self_image_only(roles) is self_only


def test_outcome_0_is_never_a_final_outcome_and_other_codes_need_a_recorded_crime() -> None:
    assert [v.rule for v in outcome_violations(OutcomeCode.not_yet_assigned, READY)] == ["P-CRIME"]
    assert outcome_violations(OutcomeCode.investigation_complete_no_suspect_identified, READY) == []
    assert [v.rule for v in outcome_violations(OutcomeCode.evidential_difficulties_suspect_identified_victim_supports, replace(READY, crime_recorded=False))] == ["P-CRIME"]
    assert outcome_violations(OutcomeCode.further_investigation_not_in_public_interest, replace(READY, public_interest_rationale=None))
    assert outcome_violations(OutcomeCode.diversionary_educational_or_intervention_activity, replace(READY, diversionary_activity_recorded=False))


def test_young_person_notice_names_the_crime_type_and_says_no_further_action_and_dbs() -> None:
    text = young_person_notice(crime_type="Possession of an indecent photograph of a child", offence_code="86/10")
    assert "recorded on police systems against the crime of possession of an indecent photograph of a child" in text
    assert "86/10" in text
    assert "taken no further action" in text
    assert "enhanced DBS check" in text and "pattern of behaviour" in text
    assert "all the information available at that time" in text
    assert "may affect employability" in text


@pytest.mark.parametrize(
    ("outcome", "applies"),
    [(OutcomeCode.further_investigation_not_in_public_interest, True), (OutcomeCode.diversionary_educational_or_intervention_activity, False), (None, False)],
)
def test_notice_is_produced_only_for_outcome_21(outcome: OutcomeCode | None, applies: bool) -> None:
    assert (check_notice_applies(outcome) == []) is applies
