from __future__ import annotations

from enum import StrEnum


class LinkRole(StrEnum):
    """How a person is linked to a police incident (P-CRIME, with the 2024 "person involved")."""

    victim = "victim"
    suspect = "suspect"
    victim_and_suspect = "victim_and_suspect"
    person_involved = "person_involved"
    witness = "witness"

    @property
    def is_victim(self) -> bool:
        return self in (LinkRole.victim, LinkRole.victim_and_suspect)

    @property
    def is_offender(self) -> bool:
        """Suspects and persons involved: the people a crime is recorded against."""
        return self in (LinkRole.suspect, LinkRole.victim_and_suspect, LinkRole.person_involved)


class PersonAge(StrEnum):
    """Whether a person is a child (under 18, P-OFFENCES) as far as the police know."""

    child = "child"
    adult = "adult"
    unknown = "unknown"
