"""Vocabularies of a person involved in an incident (issue 3; the police contract uses the same values)."""
from __future__ import annotations

from enum import StrEnum


class PersonRole(StrEnum):
    pictured = "pictured"
    sender = "sender"
    recipient = "recipient"
    sharer = "sharer"
    possessor = "possessor"
    discloser = "discloser"
    coercer = "coercer"
    # Asked for the image (issue 12): an adult who asked is adult involvement (shared/report_contract.py).
    requester = "requester"


class PersonKind(StrEnum):
    pupil = "pupil"  # a pupil of this school
    child_elsewhere = "child_elsewhere"
    adult = "adult"
    unknown = "unknown"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    not_known = "not_known"


class Vulnerability(StrEnum):
    """Flags that make a child more vulnerable than usual (S-FACTORS 3) or show a previous incident (S-FACTORS 6)."""

    special_educational_needs = "special_educational_needs"
    looked_after = "looked_after"
    child_protection_plan = "child_protection_plan"
    previous_incident = "previous_incident"
