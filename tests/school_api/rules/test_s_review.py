"""S-REVIEW: an incident is closed only after a decision and a review."""
from __future__ import annotations

import pytest

from services.school_api.decisions.vocabulary import DecisionOutcome as D
from services.school_api.incidents.vocabulary import IncidentStatus as S
from services.school_api.rules.lifecycle import TRANSITIONS, can_transition, may_decide
from services.school_api.rules.review import s_review


@pytest.mark.parametrize(
    ("has_decision", "has_review", "unmet"),
    [(True, True, 0), (True, False, 1), (False, True, 1), (False, False, 2)],
)
def test_incident_cannot_close_without_decision_and_review(has_decision: bool, has_review: bool, unmet: int) -> None:
    violations = s_review(has_decision=has_decision, has_review=has_review)
    assert len(violations) == unmet
    assert all(v.rule == "S-REVIEW" for v in violations)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.open, S.assessed, True),
        (S.open, S.referred, False),  # no decision before an assessment
        (S.assessed, S.referred, True),
        (S.assessed, S.managed_in_school, True),
        (S.referred, S.reviewed, True),
        (S.managed_in_school, S.reviewed, True),
        (S.referred, S.closed, False),  # no closing before a review
        (S.reviewed, S.closed, True),
        (S.closed, S.open, False),
    ],
)
def test_status_lifecycle_runs_open_assessed_decided_reviewed_closed(current: S, target: S, allowed: bool) -> None:
    assert can_transition(current, target) is allowed


def test_every_status_has_a_transition_entry() -> None:
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(
    ("current", "assessed_since", "outcome", "police_referred", "allowed"),
    [
        (S.assessed, False, D.manage_in_school, False, True),
        (S.open, True, D.refer_police, False, False),  # no decision without an assessment
        (S.managed_in_school, True, D.refer_police, False, True),  # S-IMMEDIATE at a later point: escalate after a new assessment
        (S.managed_in_school, True, D.refer_social_care, False, True),
        (S.managed_in_school, False, D.refer_police, False, False),  # no new assessment, no second decision
        (S.managed_in_school, True, D.manage_in_school, False, False),  # a second decision only escalates
        (S.referred, True, D.refer_police, False, True),  # referred to social care only: the police may follow
        (S.referred, True, D.refer_police, True, False),  # one police referral per incident
        (S.referred, False, D.refer_police, False, False),
        (S.referred, True, D.refer_social_care, False, False),
        (S.reviewed, True, D.refer_police, False, True),  # a concern after the review, before closing
        (S.reviewed, True, D.refer_social_care, False, False),
        (S.closed, True, D.refer_police, False, False),
        (S.open, True, D.refer_social_care, False, False),
    ],
)
def test_later_concern_escalates_to_the_police_at_any_later_point(
    current: S, assessed_since: bool, outcome: D, police_referred: bool, allowed: bool
) -> None:
    assert may_decide(current, assessed_since_last_decision=assessed_since, outcome=outcome, police_referred=police_referred) is allowed
