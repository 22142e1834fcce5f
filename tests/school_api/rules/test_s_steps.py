"""S-INITIAL-REVIEW, S-CHILD-VOICE, S-CSE, S-DELETE, S-REMOVAL: each record as it is made (table-driven)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.school_api.actions.vocabulary import REMOVAL_HELP, ActionKind as A, RemovalOutcome as O
from services.school_api.initial_reviews.vocabulary import AttendeeRole as R
from services.school_api.people.vocabulary import PersonKind as P
from services.school_api.rules.steps import s_child_voice, s_cse, s_delete, s_initial_review, s_removal

DECIDED = "Speak to both pupils today; assess before deciding."
DUE = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def messages(violations: list) -> list[str]:
    return [v.message for v in violations]


@pytest.mark.parametrize(
    ("attendees", "decided", "unmet"),
    [
        ([R.dsl], DECIDED, []),
        ([R.deputy_dsl, R.staff_member], DECIDED, []),  # a deputy acts as the DSL
        ([R.headteacher, R.senior_leader], DECIDED, ["The initial review meeting is the DSL's: a DSL or deputy DSL attends."]),
        ([R.dsl], "too short", ["Record what the initial review meeting decided."]),
        ([R.dsl], " " * 20, ["Record what the initial review meeting decided."]),
        ([R.dsl], None, ["Record what the initial review meeting decided."]),
        ([R.dsl], "ten chars!", []),  # exactly the minimum
        ([], None, ["The initial review meeting is the DSL's: a DSL or deputy DSL attends.", "Record what the initial review meeting decided."]),
    ],
)
def test_the_initial_review_meeting_is_the_dsls_and_records_what_it_decided(attendees: list, decided: str | None, unmet: list) -> None:
    violations = s_initial_review(attendees, decided)
    assert messages(violations) == unmet and all(v.rule == "S-INITIAL-REVIEW" for v in violations)


ACCOUNT = "He asked me for it and I sent it."


@pytest.mark.parametrize(
    ("kind", "account", "wishes", "unmet"),
    [
        (P.pupil, ACCOUNT, None, 0),
        (P.child_elsewhere, None, "I want it gone.", 0),  # wishes alone are the child's voice too
        (P.adult, ACCOUNT, None, 1),  # a parent's account is not the child's
        (P.unknown, ACCOUNT, ACCOUNT, 1),
        (P.pupil, "short", "   ", 1),
        (P.pupil, None, None, 1),
        (P.adult, None, None, 2),
    ],
)
def test_the_childs_account_is_given_by_a_child_and_says_something(kind: P, account: str | None, wishes: str | None, unmet: int) -> None:
    violations = s_child_voice(kind, account, wishes)
    assert len(violations) == unmet and all(v.rule == "S-CHILD-VOICE" for v in violations)


def test_the_childs_account_refusals_say_what_is_missing() -> None:
    assert messages(s_child_voice(P.adult, None, None)) == [
        "A child's account is given by a child on the record (pupil or child elsewhere).",
        "Record the child's account, their wishes, or both, in their own words.",
    ]


@pytest.mark.parametrize(
    ("kind", "taken", "judgement", "refused"),
    [
        (A.exploitation_considered, True, None, True),
        (A.exploitation_considered, True, "   not cse   ", True),
        (A.exploitation_considered, True, "No adult, no gain: not CSE.", False),
        (A.exploitation_considered, False, None, False),  # not taken: S-RECORD asks for the reason instead
        (A.education_input, True, None, False),
    ],
)
def test_considering_exploitation_writes_the_judgement(kind: A, taken: bool, judgement: str | None, refused: bool) -> None:
    violations = s_cse(kind, taken, judgement)
    assert bool(violations) is refused and all(v.rule == "S-CSE" for v in violations)


@pytest.mark.parametrize(
    ("kind", "taken", "due_at", "managed", "requested", "unmet"),
    [
        (A.deletion_requested, True, DUE, True, False, []),
        (A.deletion_requested, True, DUE, False, False, ["managed in school"]),
        (A.deletion_requested, True, None, True, False, ["deadline (due_at) by which"]),
        (A.deletion_requested, True, None, False, False, ["managed in school", "deadline (due_at) by which"]),
        (A.deletion_requested, False, None, False, False, []),  # not asked, with the reason (S-RECORD)
        (A.deletion_confirmed, True, None, True, True, []),
        (A.deletion_confirmed, True, None, True, False, ["after the young people were asked"]),
        (A.deletion_confirmed, False, None, True, False, []),
        (A.deletion_confirmed, True, DUE, True, True, ["belongs to a deletion request only"]),
        (A.education_input, True, DUE, True, True, ["belongs to a deletion request only"]),
        (A.education_input, True, None, False, False, []),
    ],
)
def test_only_an_incident_managed_in_school_asks_for_deletion_by_a_deadline(
    kind: A, taken: bool, due_at: datetime | None, managed: bool, requested: bool, unmet: list[str]
) -> None:
    violations = s_delete(kind, taken, due_at, managed_in_school=managed, requested=requested)
    assert len(violations) == len(unmet) and all(v.rule == "S-DELETE" for v in violations)
    assert all(part in v.message for part, v in zip(unmet, violations, strict=True))


def test_removal_help_is_the_four_kinds_of_the_guidance() -> None:
    assert REMOVAL_HELP == {A.report_remove_advised, A.take_it_down_advised, A.reported_to_hosting_site, A.ceop_report}


@pytest.mark.parametrize(
    ("kind", "taken", "outcome", "refused"),
    [
        (A.report_remove_advised, True, None, True),
        (A.take_it_down_advised, True, None, True),
        (A.reported_to_hosting_site, True, None, True),
        (A.ceop_report, True, None, True),
        (A.ceop_report, True, O.submitted, False),
        (A.reported_to_hosting_site, True, O.removed, False),
        (A.report_remove_advised, False, None, False),  # not given: the reason, no outcome
        (A.report_remove_advised, False, O.removed, True),
        (A.education_input, True, O.removed, True),
        (A.education_input, True, None, False),
    ],
)
def test_removal_help_records_its_outcome(kind: A, taken: bool, outcome: O | None, refused: bool) -> None:
    violations = s_removal(kind, taken, outcome)
    assert bool(violations) is refused and all(v.rule == "S-REMOVAL" for v in violations)


def test_removal_refusals_name_the_action() -> None:
    assert messages(s_removal(A.ceop_report, True, None)) == ["'ceop_report' was taken: record its outcome."]
    assert messages(s_removal(A.other, True, O.removed)) == ["An outcome belongs to removal help that was given."]
