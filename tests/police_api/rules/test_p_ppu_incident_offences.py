"""P-PPU (every child notified, finalising waits for acknowledgement), P-INCIDENT (both routes
followed), P-OFFENCES (Home Office codes, child = under 18)."""
from __future__ import annotations

from datetime import date

import pytest

from services.police_api.persons.vocabulary import PersonAge
from services.police_api.rules.incident import IncidentPaths, incident_paths_followed
from services.police_api.rules.offences import STATUTORY_OFFENCES, age_status, check_offence_code
from services.police_api.rules.ppu import NotificationState, children_to_notify, unacknowledged_notifications


def test_ppu_is_notified_of_every_child_and_of_anyone_whose_age_is_unknown() -> None:
    people = [("a", PersonAge.child), ("b", PersonAge.adult), ("c", PersonAge.unknown), ("d", PersonAge.child)]
    assert children_to_notify(people) == ["a", "c", "d"]


@pytest.mark.parametrize(
    ("acknowledged", "refused"),
    [([True, True], False), ([True, False], True), ([False, False], True), ([], False)],
)
def test_incident_cannot_be_finalised_while_a_childs_ppu_notification_is_unacknowledged(acknowledged: list[bool], refused: bool) -> None:
    violations = unacknowledged_notifications(NotificationState(str(i), a) for i, a in enumerate(acknowledged))
    assert bool(violations) is refused
    assert all(v.rule == "P-PPU" for v in violations)


COMPLETE = IncidentPaths(children=2, ppu_notifications=2, victims=1, victims_with_crime=1, no_crime_reason_recorded=False, crimes=1, crimes_finalised=1)


@pytest.mark.parametrize(
    ("changes", "unmet"),
    [
        ({}, 0),
        ({"ppu_notifications": 1}, 1),  # safeguarding route not followed for every child
        ({"victims_with_crime": 0}, 1),  # crime route: a victim without a crime
        ({"victims_with_crime": 0, "crimes": 0, "crimes_finalised": 0, "no_crime_reason_recorded": True}, 0),
        ({"crimes_finalised": 0}, 1),
        ({"ppu_notifications": 0, "victims_with_crime": 0, "crimes_finalised": 0}, 3),
    ],
)
def test_incident_follows_both_the_safeguarding_and_the_crime_route(changes: dict, unmet: int) -> None:
    violations = incident_paths_followed(IncidentPaths(**{**COMPLETE.__dict__, **changes}))
    assert len(violations) == unmet
    assert all(v.rule == "P-INCIDENT" for v in violations)


def test_the_indecent_and_prohibited_image_offences_are_86_2_86_10_and_86_25() -> None:
    assert [(o.code, o.title, o.statute) for o in STATUTORY_OFFENCES] == [
        (
            "86/2",
            "Take, permit to be taken, make, distribute, show, possess with a view to distribute, or advertise "
            "indecent photographs or pseudo-photographs of a child",
            "Protection of Children Act 1978 s.1",
        ),
        ("86/10", "Possession of an indecent photograph of a child", "Criminal Justice Act 1988 s.160"),
        ("86/25", "Possession of a prohibited image of a child", "Coroners and Justice Act 2009 s.62"),
    ]


@pytest.mark.parametrize(
    ("code", "known", "ok"),
    [("86/2", {"86/2"}, True), ("86/10", {"86/2", "86/10"}, True), ("86/99", {"86/2"}, False), ("sexting", {"sexting"}, False)],
)
def test_offence_code_comes_from_the_reference_table_in_home_office_form(code: str, known: set[str], ok: bool) -> None:
    violations = check_offence_code(code, known)
    assert (violations == []) is ok
    assert all(v.rule == "P-OFFENCES" for v in violations)


@pytest.mark.parametrize(
    ("kind", "dob", "age", "expected"),
    [
        ("pupil", None, None, PersonAge.child),
        ("adult", None, None, PersonAge.adult),
        ("unknown", None, None, PersonAge.unknown),
        ("unknown", None, 17, PersonAge.child),
        ("unknown", None, 18, PersonAge.adult),
        ("pupil", date(2008, 11, 28), None, PersonAge.child),  # 17 the day before the 18th birthday
        ("pupil", date(2008, 11, 27), None, PersonAge.adult),  # 18 on the day
    ],
)
def test_a_child_means_under_18(kind: str, dob: date | None, age: int | None, expected: PersonAge) -> None:
    assert age_status(kind=kind, date_of_birth=dob, age_years=age, on=date(2026, 11, 27)) is expected
