"""Facts already in the record that the assessment and the decision must not contradict.

The service hands in plain values (no ORM rows) so that this stays pure and table-testable.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from services.school_api.incidents.vocabulary import SharingExtent
from services.school_api.people.vocabulary import PersonKind, PersonRole, Vulnerability
from shared.report_contract import involves_adult

_CHILD_KINDS = {PersonKind.pupil, PersonKind.child_elsewhere}
_MORE_VULNERABLE = {
    Vulnerability.special_educational_needs,
    Vulnerability.looked_after,
    Vulnerability.child_protection_plan,
}


@dataclass(frozen=True)
class PersonFacts:
    kind: PersonKind
    roles: frozenset[PersonRole]
    date_of_birth: date | None = None
    age_years: int | None = None
    vulnerabilities: frozenset[Vulnerability] = field(default_factory=frozenset)

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is not None:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return self.age_years


@dataclass(frozen=True)
class RecordFacts:
    adult_involved: bool = False
    coercion_recorded: bool = False
    pictured_under_13: bool = False
    widely_distributed: bool = False
    child_more_vulnerable: bool = False
    previous_incident: bool = False


def derive_facts(people: Iterable[PersonFacts], sharing_extent: SharingExtent | None, disclosed_on: date) -> RecordFacts:
    people = list(people)
    return RecordFacts(
        # S-POLICE / S-IMMEDIATE (1): an adult, or a person of unknown age, who did something with the image
        # (the one definition both services share; a parent who only disclosed is not adult involvement).
        adult_involved=any(involves_adult(person.kind, person.roles) for person in people),
        # S-IMMEDIATE (2) / S-TYPOLOGY: a person recorded as a coercer is reason to believe a young person was
        # coerced, and coercion is not willing participation.
        coercion_recorded=any(PersonRole.coercer in person.roles for person in people),
        # S-IMMEDIATE (4): any pictured pupil under 13 at the time of disclosure.
        pictured_under_13=any(
            PersonRole.pictured in person.roles and (age := person.age_on(disclosed_on)) is not None and age < 13
            for person in people
        ),
        # S-FACTORS (5).
        widely_distributed=sharing_extent is SharingExtent.widely,
        # S-FACTORS (3): special educational needs, looked after, on a child protection plan.
        child_more_vulnerable=any(
            person.kind in _CHILD_KINDS and person.vulnerabilities & _MORE_VULNERABLE for person in people
        ),
        # S-FACTORS (6).
        previous_incident=any(Vulnerability.previous_incident in person.vulnerabilities for person in people),
    )
