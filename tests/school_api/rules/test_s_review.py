"""S-REVIEW: an incident is closed only after a decision and a review."""
from __future__ import annotations

import pytest

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
    ("current", "assessed_since", "refers", "allowed"),
    [
        (S.assessed, True, False, True),
        (S.open, True, True, False),  # no decision without an assessment
        (S.managed_in_school, True, True, True),  # S-IMMEDIATE at a later point: escalate after a new assessment
        (S.managed_in_school, False, True, False),  # no new assessment, no second decision
        (S.managed_in_school, True, False, False),  # a second decision only escalates
        (S.referred, True, True, False),
        (S.reviewed, True, True, False),
    ],
)
def test_later_concern_escalates_an_incident_managed_in_school(current: S, assessed_since: bool, refers: bool, allowed: bool) -> None:
    assert may_decide(current, assessed_since_last_decision=assessed_since, refers=refers) is allowed
