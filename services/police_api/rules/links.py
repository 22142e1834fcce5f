"""P-CRIME: the initial link role of each reported person, derived from what the school reported.

An officer may change any link afterwards; this is the starting point, not the decision.
- A coercer, or an adult who sent, shared or possessed the image: suspect.
- A child pictured who also sent, shared or possessed it: victim and suspect (one child can be both).
- A child pictured only: victim.
- A child who sent, shared or possessed another child's image: suspect in an aggravated case; in a
  non-aggravated case a "person involved" (police chiefs' recording guidance, 2024).
- Anyone who only received the image or disclosed it: witness (receiving is not an offence by
  itself; a recipient who kept the image is reported as a possessor).
"""
from __future__ import annotations

from collections.abc import Iterable

from services.police_api.persons.vocabulary import LinkRole, PersonAge

OFFENDING_ROLES = frozenset({"sender", "sharer", "possessor"})
AGGRAVATED_PREFIX = "aggravated"


def is_aggravated(typology: str | None, people: Iterable[tuple[Iterable[str], PersonAge]]) -> bool:
    """S-TYPOLOGY as the police see it: the school said aggravated, or an adult or a coercer is reported."""
    if typology is not None and typology.startswith(AGGRAVATED_PREFIX):
        return True
    for roles, age in people:
        roles = set(roles)
        if "coercer" in roles or (age is PersonAge.adult and roles & OFFENDING_ROLES):
            return True
    return False


def derive_link_role(reported_roles: Iterable[str], age: PersonAge, *, aggravated: bool) -> LinkRole:
    """P-CRIME: the link role a reported person starts with (see the module docstring)."""
    roles = set(reported_roles)
    offending = bool(roles & OFFENDING_ROLES)
    if "coercer" in roles or (age is PersonAge.adult and offending):
        return LinkRole.suspect
    if age is PersonAge.adult:
        # An adult pictured in "youth-produced" imagery is not a child victim of 86/2; record what they saw.
        return LinkRole.witness
    if "pictured" in roles:
        return LinkRole.victim_and_suspect if offending else LinkRole.victim
    if offending:
        return LinkRole.suspect if aggravated else LinkRole.person_involved
    return LinkRole.witness
