"""What the guidance still expects, given what is recorded (rules/next_steps.py), and what closing waits for."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.school_api.actions.vocabulary import ActionKind as A
from services.school_api.decisions.vocabulary import DecisionOutcome as D
from services.school_api.next_steps.vocabulary import StepKind as K
from services.school_api.rules.next_steps import CaseFacts, LoggedAction, NextStep, closing_violations, next_steps

DUE = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
FIRST = [K.dsl_informed, K.senior_management_informed, K.initial_review_meeting, K.child_account, K.consider_exploitation]
SETTLED = tuple(LoggedAction(kind, True) for kind in (
    A.dsl_informed, A.senior_management_informed, A.initial_review_meeting, A.child_account_heard, A.exploitation_considered,
))


def kinds(facts: CaseFacts) -> list[K]:
    return [step.kind for step in next_steps(facts)]


def test_a_new_incident_expects_the_first_steps_and_the_assessment() -> None:
    assert kinds(CaseFacts()) == [*FIRST, K.risk_assessment]


def test_every_step_names_its_rule_and_its_appx8_step() -> None:
    facts = CaseFacts(assessed=True, school_device_or_network=True, image_online=True, abuse_risk=True)
    steps = {step.kind: step for step in next_steps(facts)}
    assert {kind: (step.rule, step.step, step.required) for kind, step in steps.items()} == {
        K.dsl_informed: ("S-DSL", 4, True),
        K.senior_management_informed: ("S-DSL", 4, True),
        K.block_network_and_isolate_image: ("S-IMAGE", 3, True),
        K.initial_review_meeting: ("S-INITIAL-REVIEW", 5, True),
        K.child_account: ("S-CHILD-VOICE", 5, True),
        K.consider_exploitation: ("S-CSE", 5, True),
        K.decision: ("S-POLICE", 5, True),
        K.report_remove_or_take_it_down: ("S-REMOVAL", 6, False),
        K.report_to_hosting_site: ("S-REMOVAL", 6, False),
        K.ceop_report: ("S-REMOVAL", 6, False),
    }
    assert steps[K.block_network_and_isolate_image].text == "Device is a school device: block the network and isolate the image (step 3)."
    assert all(step.text.endswith(f"(step {step.step}).") for step in steps.values())
    assert all(step.due_at is None for step in steps.values())


@pytest.mark.parametrize("taken", [True, False])
def test_a_step_logged_taken_or_not_taken_with_its_reason_is_settled(taken: bool) -> None:
    facts = CaseFacts(actions=tuple(replace(action, taken=taken) for action in SETTLED), assessed=True, decision=D.refer_police)
    assert kinds(facts) == [K.review]


def test_either_report_remove_or_take_it_down_settles_removal_help() -> None:
    for kind in (A.report_remove_advised, A.take_it_down_advised):
        facts = CaseFacts(actions=(LoggedAction(kind, True),), image_online=True)
        assert K.report_remove_or_take_it_down not in kinds(facts) and K.report_to_hosting_site in kinds(facts)
    reported = CaseFacts(actions=(LoggedAction(A.reported_to_hosting_site, True), LoggedAction(A.ceop_report, True)), image_online=True, abuse_risk=True)
    assert K.report_to_hosting_site not in kinds(reported) and K.ceop_report not in kinds(reported)


def test_the_school_network_is_blocked_only_for_a_school_device() -> None:
    assert K.block_network_and_isolate_image not in kinds(CaseFacts())
    blocked = CaseFacts(school_device_or_network=True, actions=(LoggedAction(A.network_blocked_image_isolated, True),))
    assert K.block_network_and_isolate_image not in kinds(blocked)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (CaseFacts(actions=SETTLED), [K.risk_assessment]),
        (CaseFacts(actions=SETTLED, assessed=True), [K.decision]),
        (CaseFacts(actions=SETTLED, assessed=True, decision=D.refer_social_care), [K.review]),
        (CaseFacts(actions=SETTLED, assessed=True, decision=D.refer_social_care, reviewed_since_decision=True), []),
        (CaseFacts(actions=SETTLED, assessed=True, decision=D.refer_police, parents_to_be_informed=True), [K.inform_parents, K.review]),
        (CaseFacts(actions=SETTLED, assessed=True, decision=D.manage_in_school), [K.ask_for_deletion, K.review]),
        (CaseFacts(actions=SETTLED, assessed=True, decision=D.manage_in_school, reviewed_since_decision=True), [K.ask_for_deletion]),
    ],
)
def test_the_steps_follow_the_record(facts: CaseFacts, expected: list[K]) -> None:
    assert kinds(facts) == expected


def test_a_deletion_request_is_followed_by_its_confirmation_by_the_deadline() -> None:
    asked = CaseFacts(actions=(*SETTLED, LoggedAction(A.deletion_requested, True, DUE)), assessed=True, decision=D.manage_in_school, reviewed_since_decision=True)
    steps = next_steps(asked)
    assert [(s.kind, s.rule, s.step, s.required, s.due_at) for s in steps] == [(K.confirm_deletion, "S-DELETE", 7, True, DUE)]
    again = replace(asked, actions=(*asked.actions, LoggedAction(A.deletion_requested, True, LATER)))
    assert [s.due_at for s in next_steps(again)] == [LATER]  # the latest request's deadline
    confirmed = replace(asked, actions=(*asked.actions, LoggedAction(A.deletion_confirmed, True)))
    assert next_steps(confirmed) == []


def test_a_deletion_not_requested_with_its_reason_needs_no_confirmation() -> None:
    declined = CaseFacts(actions=(*SETTLED, LoggedAction(A.deletion_requested, False)), assessed=True, decision=D.manage_in_school, reviewed_since_decision=True)
    assert next_steps(declined) == []


def test_closing_waits_for_required_steps_not_checked_by_their_own_rule() -> None:
    steps = next_steps(CaseFacts(school_device_or_network=True, image_online=True, parents_to_be_informed=True, decision=D.manage_in_school))
    violations = closing_violations(steps)
    assert [v.rule for v in violations] == ["S-IMAGE", "S-INITIAL-REVIEW", "S-CHILD-VOICE", "S-CSE", "S-PARENTS", "S-DELETE"]
    assert violations[0].message == (
        "Open step: Device is a school device: block the network and isolate the image (step 3). "
        "Record it, or log it as not taken with the reason."
    )


@pytest.mark.parametrize("kind", [K.dsl_informed, K.senior_management_informed, K.risk_assessment, K.decision, K.review])
def test_closing_leaves_dsl_assessment_decision_and_review_to_their_own_rules(kind: K) -> None:
    assert closing_violations([NextStep(kind, "S-X", 5, "Step.", True)]) == []


def test_closing_does_not_wait_for_a_recommended_step() -> None:
    assert closing_violations([NextStep(K.ceop_report, "S-REMOVAL", 6, "Consider CEOP.", False)]) == []
    assert len(closing_violations([NextStep(K.ceop_report, "S-REMOVAL", 6, "Consider CEOP.", True)])) == 1
