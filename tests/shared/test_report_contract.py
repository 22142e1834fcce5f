"""The one meaning of "adult involved" that both services use (S-POLICE, issue 12)."""
from __future__ import annotations

import pytest

from shared.report_contract import ADULT_PARTICIPATING_ROLES, incident_involves_adult, involves_adult

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("role", sorted(ADULT_PARTICIPATING_ROLES))
def test_an_adult_who_does_anything_with_the_image_is_adult_involvement(role: str) -> None:
    assert involves_adult("adult", [role])


@pytest.mark.parametrize("role", ["recipient", "requester", "coercer", "sender", "sharer", "possessor"])
def test_a_person_of_unknown_age_is_possibly_adult_and_counts(role: str) -> None:
    assert involves_adult("unknown", [role])


def test_an_adult_who_only_disclosed_is_not_adult_involvement() -> None:
    assert not involves_adult("adult", ["discloser"])


def test_an_adult_only_pictured_is_not_adult_involvement() -> None:
    assert not involves_adult("adult", ["pictured"])


@pytest.mark.parametrize("kind", ["pupil", "child_elsewhere"])
def test_a_child_is_never_adult_involvement(kind: str) -> None:
    assert not involves_adult(kind, sorted(ADULT_PARTICIPATING_ROLES))


def test_the_participating_roles_are_exactly_those_of_the_guidance() -> None:
    assert ADULT_PARTICIPATING_ROLES == {"recipient", "requester", "coercer", "sender", "sharer", "possessor"}


def test_an_incident_involves_an_adult_when_any_person_does() -> None:
    assert incident_involves_adult([("pupil", ["pictured", "sender"]), ("adult", ["recipient"])])
    assert not incident_involves_adult([("pupil", ["pictured", "sender"]), ("adult", ["discloser"])])
    assert not incident_involves_adult([])
