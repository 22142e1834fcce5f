"""The school's retention schedule (DOMAIN.md §5; docs/retention.md is the same schedule in prose).

Pure: a record type and the facts about one incident in, the date its record falls due and what is then
done with it out. The schedule is data (`SCHEDULE`), so the document, the job and the tests read one table.

- IRMS (Information and Records Management Society, "Information Management Toolkit for Schools", child
  protection files): kept until the child's date of birth + 25 years, then reviewed.
- IICSA (Independent Inquiry into Child Sexual Abuse, final report, October 2022): records relating to
  allegations of child sexual abuse kept for 75 years. We apply it to the incidents that are such an
  allegation (aggravated, S-TYPOLOGY a-c, or referred to the police or children's social care): a future
  inquiry or a survivor's claim may need them, and a destroyed record cannot be made again. An experimental exchange between
  peers managed in school is not an allegation of abuse; keeping a child's record of it for 75 years would
  be longer than its purpose needs (UK GDPR Art. 5(1)(e)), so it follows IRMS alone.
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class SchoolRecordType(StrEnum):
    """The unit of retention is the incident's child-protection file: the incident and every record of it."""

    child_protection_allegation = "child_protection_allegation"
    child_protection_managed_in_school = "child_protection_managed_in_school"


class RetentionAction(StrEnum):
    # Personal fields and free text erased; a skeleton of ids, dates and vocabularies kept, so that
    # statistics and the audit chain (which names those ids) stay valid.
    anonymise = "anonymise"
    # Due, but a person must look first: the job lists it and changes nothing.
    review = "review"


@dataclass(frozen=True)
class ScheduleEntry:
    record_type: SchoolRecordType
    years_after_birth: int
    years_after_disclosure: int
    action: RetentionAction
    source: str


SCHEDULE: dict[SchoolRecordType, ScheduleEntry] = {
    SchoolRecordType.child_protection_allegation: ScheduleEntry(
        SchoolRecordType.child_protection_allegation, 25, 75, RetentionAction.anonymise,
        "IRMS toolkit for schools (DOB + 25 years) and IICSA final report 2022 (75 years), the later",
    ),
    SchoolRecordType.child_protection_managed_in_school: ScheduleEntry(
        SchoolRecordType.child_protection_managed_in_school, 25, 0, RetentionAction.anonymise,
        "IRMS toolkit for schools: the child's date of birth + 25 years",
    ),
}


@dataclass(frozen=True)
class Child:
    """What is known of a child's age: the date of birth, or failing it the age in years at disclosure."""

    date_of_birth: date | None
    age_years: int | None


@dataclass(frozen=True)
class IncidentFacts:
    disclosed_on: date
    children: Sequence[Child]
    aggravated: bool
    # Referred to the police or to children's social care (S-POLICE, APPX8 step 6).
    referred: bool
    closed: bool


@dataclass(frozen=True)
class RetentionDue:
    record_type: SchoolRecordType
    due_on: date
    action: RetentionAction
    source: str


def add_years(day: date, years: int) -> date:
    """`day` `years` later; 29 February becomes 28 February in a year that has none."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def latest_possible_birth(child: Child, disclosed_on: date) -> date:
    """The latest date of birth the facts allow: the file is never due earlier than it could be.

    A child aged N at disclosure was born at most N years before it; with neither date nor age the
    record is treated as about a child born that day, the longest the schedule could run.
    """
    if child.date_of_birth is not None:
        return child.date_of_birth
    if child.age_years is not None:
        return add_years(disclosed_on, -child.age_years)
    return disclosed_on


def record_type_of(facts: IncidentFacts) -> SchoolRecordType:
    """An aggravated or referred incident is an allegation of child sexual abuse (IICSA)."""
    if facts.aggravated or facts.referred:
        return SchoolRecordType.child_protection_allegation
    return SchoolRecordType.child_protection_managed_in_school


def retention_of_incident(facts: IncidentFacts) -> RetentionDue:
    """DOMAIN.md §5 (IRMS, IICSA): when an incident's file falls due and what is then done.

    Due on the latest of: the youngest child's date of birth + 25 years, and for an allegation the
    disclosure + 75 years. An incident still open when due is reviewed, never anonymised unseen.
    """
    record_type = record_type_of(facts)
    entry = SCHEDULE[record_type]
    births = [latest_possible_birth(child, facts.disclosed_on) for child in facts.children]
    # No child recorded yet: the file is about a child all the same (S-RECORD), treated as born that day.
    candidates = [add_years(born, entry.years_after_birth) for born in births or [facts.disclosed_on]]
    if entry.years_after_disclosure:
        candidates.append(add_years(facts.disclosed_on, entry.years_after_disclosure))
    due_on = max(candidates)
    action = entry.action if facts.closed else RetentionAction.review
    return RetentionDue(record_type, due_on, action, entry.source)


def is_due(due: RetentionDue, today: date) -> bool:
    return due.due_on <= today
