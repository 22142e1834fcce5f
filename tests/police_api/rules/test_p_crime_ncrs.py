"""P-CRIME: NCRS 24-hour recording, one crime per victim (link roles: test_p_links_age_triage.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.police_api.persons.vocabulary import LinkRole
from services.police_api.rules.crime import (
    check_crime_subjects,
    check_crime_victim,
    check_recorded_time,
    crime_decision_overdue,
    crime_recording_deadline,
    recorded_late,
    time_left,
    victims_without_crime,
)

RECEIVED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_ncrs_deadline_is_24_hours_after_the_report_is_received() -> None:
    assert crime_recording_deadline(RECEIVED) == RECEIVED + timedelta(hours=24)
    assert time_left(RECEIVED + timedelta(hours=20), crime_recording_deadline(RECEIVED)) == timedelta(hours=4)


@pytest.mark.parametrize(
    ("recorded_after", "late"),
    [(timedelta(hours=1), False), (timedelta(hours=24), False), (timedelta(hours=24, seconds=1), True), (timedelta(days=3), True)],
)
def test_crime_recorded_after_its_24_hour_deadline_is_flagged_late(recorded_after: timedelta, late: bool) -> None:
    assert recorded_late(RECEIVED + recorded_after, crime_recording_deadline(RECEIVED)) is late


@pytest.mark.parametrize(
    ("recorded_after", "allowed"),
    [(timedelta(hours=-1), False), (timedelta(0), True), (timedelta(hours=30), True), (timedelta(hours=49), False)],
)
def test_a_crime_is_recorded_no_earlier_than_its_report_was_received_and_not_in_the_future(
    recorded_after: timedelta, allowed: bool
) -> None:
    now = RECEIVED + timedelta(hours=48)
    violations = check_recorded_time(RECEIVED + recorded_after, received_at=RECEIVED, now=now)
    assert (violations == []) is allowed
    assert all(violation.rule == "P-CRIME" for violation in violations)


@pytest.mark.parametrize(
    ("now_after", "decided", "overdue"),
    [
        (timedelta(hours=23), False, False),
        (timedelta(hours=25), False, True),
        (timedelta(hours=25), True, False),
    ],
)
def test_report_without_a_crime_decision_after_24_hours_is_overdue(now_after: timedelta, decided: bool, overdue: bool) -> None:
    deadline = crime_recording_deadline(RECEIVED)
    assert crime_decision_overdue(RECEIVED + now_after, deadline, decision_made=decided) is overdue


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (LinkRole.victim, True),
        (LinkRole.victim_and_suspect, True),
        (LinkRole.suspect, False),
        (LinkRole.person_involved, False),
        (LinkRole.witness, False),
        (None, False),
    ],
)
def test_a_crime_is_raised_for_a_linked_victim(role: LinkRole | None, allowed: bool) -> None:
    assert (check_crime_victim(role) == []) is allowed


def test_crime_subjects_must_be_linked_as_offenders() -> None:
    assert check_crime_subjects([LinkRole.suspect, LinkRole.person_involved, LinkRole.victim_and_suspect]) == []
    assert [v.rule for v in check_crime_subjects([LinkRole.witness])] == ["P-CRIME"]
    assert [v.rule for v in check_crime_subjects([None])] == ["P-CRIME"]


def test_every_victim_needs_a_crime() -> None:
    assert victims_without_crime(["a", "b"], ["a"]) == ["b"]
    assert victims_without_crime(["a"], ["a"]) == []
