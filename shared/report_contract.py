"""Facts whose meaning the school and the police must share, defined once for the report contract.

Both services hold the same person vocabularies (kind and roles, `services/school_api/people/vocabulary.py`
and `services/police_api/reports/schemas.py`), and both must decide the same way from them. Where the two
services used to decide a fact each in their own way they disagreed (issue 12: the school counted a parent
who disclosed as "adult involved"; the police did not count an adult who received a child's image), so the
definition lives here and both rules engines call it. It works on the wire values so that neither service's
enums leak into the other.
"""
from __future__ import annotations

from collections.abc import Iterable

# S-POLICE: "any conduct involving, or possibly involving, the knowledge or participation of adults".
# Participation is doing something with the image: receiving, asking for, coercing, sending, sharing or
# possessing it. Disclosing is not participation (a parent who reports is not involved in the conduct), and
# an adult only pictured in the imagery is not the conduct of an adult either.
ADULT_PARTICIPATING_ROLES = frozenset({"recipient", "requester", "coercer", "sender", "sharer", "possessor"})

# A person whose age is not known (most often someone met online) is "possibly" an adult, and S-POLICE
# counts possible adult involvement as involvement.
POSSIBLY_ADULT_KINDS = frozenset({"adult", "unknown"})


def involves_adult(kind: str, roles: Iterable[str]) -> bool:
    """S-POLICE / S-IMMEDIATE (1) / P-ROUTE: this person makes the incident "adult involved"."""
    return kind in POSSIBLY_ADULT_KINDS and not ADULT_PARTICIPATING_ROLES.isdisjoint(roles)


def incident_involves_adult(people: Iterable[tuple[str, Iterable[str]]]) -> bool:
    """True when any (kind, roles) pair of the incident's people involves an adult."""
    return any(involves_adult(kind, roles) for kind, roles in people)
