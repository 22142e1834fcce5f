"""P-CRIME and P-AGE-OF-RESPONSIBILITY: the initial link role of each reported person, derived from what
the school reported, and who may be linked as an offender at all.

An officer may change any link afterwards, with a reason; this is the starting point, not the decision.
Children are dealt with as victims, and a child in a non-aggravated case is a "person involved" rather
than a "suspect" (police chiefs' recording guidance, 2024; P-NO-CRIMINALISE):
- A person who makes the incident "adult involved" (the report contract's one definition: an adult or a
  person of unknown age who received, asked for, coerced, sent, shared or possessed the image), or any
  coercer: suspect (victim and suspect when a person of unknown age is also pictured).
- An adult only pictured, or who only disclosed: witness.
- A child pictured whose other part was at most sending their own image, receiving or disclosing: victim.
  A child pictured who also shared, possessed or asked for images: victim and suspect in an aggravated
  case, otherwise victim.
- A child not pictured who sent, shared or asked for an image: suspect in an aggravated case, otherwise a
  person involved. A child who only possessed it (kept it from a group chat) and did not distribute it:
  person involved.
- Anyone who only received the image or disclosed it: witness (receiving is not an offence by itself).
- A child under 10 is below the age of criminal responsibility: never an offender (suspect, victim and
  suspect, or person involved); their derived role falls back to victim or witness.
"""
from __future__ import annotations

from collections.abc import Iterable

from services.police_api.persons.vocabulary import LinkRole, PersonAge
from shared.problems import RuleViolation
from shared.report_contract import POSSIBLY_ADULT_KINDS, involves_adult

AGGRAVATED_PREFIX = "aggravated"
# Children and Young Persons Act 1933 s.50: no child under ten can be guilty of an offence.
AGE_OF_CRIMINAL_RESPONSIBILITY = 10
# A child's part beyond their own image: passing an image on, or asking for one.
DISTRIBUTING_ROLES = frozenset({"sender", "sharer", "requester"})
# What a pictured child may also have done and still be only a victim of their own image.
SELF_IMAGE_ROLES = frozenset({"pictured", "sender", "recipient", "discloser"})
# The report contract speaks in the school's person kinds; the police know an age status instead.
_CONTRACT_KIND = {PersonAge.adult: "adult", PersonAge.unknown: "unknown", PersonAge.child: "pupil"}


def contract_kind(age: PersonAge) -> str:
    """The report contract's kind for what the police know of a person's age (a date of birth decides)."""
    return _CONTRACT_KIND[age]


def link_involves_adult(reported_roles: Iterable[str], age: PersonAge, *, role: LinkRole, set_by_officer: bool) -> bool:
    """P-ROUTE, P-FULL-INVESTIGATION: this link makes the incident "adult involved".

    The school's reported roles decide with the report contract's definition (`shared.report_contract`),
    until an officer sets the role with a reason: then the officer's judgement of the person's part
    stands, and an adult or unknown-age person counts when linked as an offender."""
    if set_by_officer:
        return role.is_offender and contract_kind(age) in POSSIBLY_ADULT_KINDS
    return involves_adult(contract_kind(age), reported_roles)


def is_aggravated(typology: str | None, people: Iterable[tuple[Iterable[str], PersonAge]]) -> bool:
    """S-TYPOLOGY as the police see it: the school said aggravated, or an adult is involved, or a coercer is reported."""
    if typology is not None and typology.startswith(AGGRAVATED_PREFIX):
        return True
    for roles, age in people:
        roles = set(roles)
        if "coercer" in roles or involves_adult(contract_kind(age), roles):
            return True
    return False


def below_criminal_responsibility(age_years: int | None) -> bool:
    """P-AGE-OF-RESPONSIBILITY: a child under 10 cannot commit an offence. An unknown age is not assumed young."""
    return age_years is not None and age_years < AGE_OF_CRIMINAL_RESPONSIBILITY


def derive_link_role(
    reported_roles: Iterable[str], age: PersonAge, *, aggravated: bool, age_years: int | None = None
) -> LinkRole:
    """P-CRIME: the link role a reported person starts with (see the module docstring)."""
    role = _derived(set(reported_roles), age, aggravated=aggravated)
    if below_criminal_responsibility(age_years) and role.is_offender:
        return LinkRole.victim if role.is_victim else LinkRole.witness
    return role


def _derived(roles: set[str], age: PersonAge, *, aggravated: bool) -> LinkRole:
    if involves_adult(contract_kind(age), roles) or "coercer" in roles:
        if "pictured" in roles and age is PersonAge.unknown:
            return LinkRole.victim_and_suspect
        return LinkRole.suspect
    if age is PersonAge.adult:
        # An adult pictured in "youth-produced" imagery is not a child victim of 86/2; record what they saw.
        return LinkRole.witness
    if "pictured" in roles:
        if roles <= SELF_IMAGE_ROLES or not aggravated:
            return LinkRole.victim
        return LinkRole.victim_and_suspect
    if roles & DISTRIBUTING_ROLES:
        return LinkRole.suspect if aggravated else LinkRole.person_involved
    if "possessor" in roles:
        return LinkRole.person_involved
    return LinkRole.witness


def check_link_role(role: LinkRole, age_years: int | None) -> list[RuleViolation]:
    """P-AGE-OF-RESPONSIBILITY: a child under 10 is never linked as suspect, victim and suspect or person involved."""
    if role.is_offender and below_criminal_responsibility(age_years):
        return [
            RuleViolation(
                "P-AGE-OF-RESPONSIBILITY",
                f"A child under {AGE_OF_CRIMINAL_RESPONSIBILITY} is below the age of criminal responsibility "
                "and is never linked as an offender.",
            )
        ]
    return []

