"""P-OFFENCES: the Home Office classifications, and who counts as a child."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.police_api.persons.vocabulary import PersonAge
from shared.problems import RuleViolation


@dataclass(frozen=True)
class Offence:
    code: str
    title: str
    statute: str


# The classifications of indecent and prohibited images of children. The guidance names 86/2 and 86/10;
# the third is the offence HOCR classifies beside them for non-photographic images (drawings, cartoons,
# computer-generated images), which 86/2 and 86/10 exclude. Its statute and wording are from the Act
# (legislation.gov.uk, Coroners and Justice Act 2009 s.62, in force 6 April 2010); its Home Office
# subclass number 86/25 could NOT be verified against the published HOCR here: the operator checks it
# before production (the table is national; `police-api add-offence-code` adds further codes).
STATUTORY_OFFENCES: tuple[Offence, ...] = (
    Offence(
        "86/2",
        "Take, permit to be taken, make, distribute, show, possess with a view to distribute, or advertise "
        "indecent photographs or pseudo-photographs of a child",
        "Protection of Children Act 1978 s.1",
    ),
    Offence("86/10", "Possession of an indecent photograph of a child", "Criminal Justice Act 1988 s.160"),
    Offence("86/25", "Possession of a prohibited image of a child", "Coroners and Justice Act 2009 s.62"),
)

_HOME_OFFICE_CODE = re.compile(r"^\d{1,3}[A-Z]?/\d{1,3}[A-Z]?$")
CHILD_UNDER = 18


def is_home_office_code(code: str) -> bool:
    return bool(_HOME_OFFICE_CODE.match(code))


def check_offence_code(code: str, known_codes: set[str]) -> list[RuleViolation]:
    """P-OFFENCES: a crime carries a Home Office code from the reference table."""
    if not is_home_office_code(code):
        return [RuleViolation("P-OFFENCES", "An offence code has the Home Office form 'class/subclass', e.g. 86/2.")]
    if code not in known_codes:
        return [RuleViolation("P-OFFENCES", "That offence code is not in the force's offence reference table.")]
    return []


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_in_years(*, date_of_birth: date | None, age_years: int | None, on: date) -> int | None:
    """A person's age on a day: from the date of birth, else the stated age, else unknown."""
    if date_of_birth is not None:
        return age_on(date_of_birth, on)
    return age_years


def age_status(*, kind: str | None, date_of_birth: date | None, age_years: int | None, on: date) -> PersonAge:
    """P-OFFENCES: "child" means under 18. A date of birth decides; then a stated age; then the reported kind."""
    if date_of_birth is not None:
        return PersonAge.child if age_on(date_of_birth, on) < CHILD_UNDER else PersonAge.adult
    if age_years is not None:
        return PersonAge.child if age_years < CHILD_UNDER else PersonAge.adult
    if kind in ("pupil", "child_elsewhere"):
        return PersonAge.child
    if kind == "adult":
        return PersonAge.adult
    return PersonAge.unknown
