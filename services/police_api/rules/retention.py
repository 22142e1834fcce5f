"""The force's retention schedule (DOMAIN.md §5; docs/retention.md is the same schedule in prose).

Management of Police Information (MoPI: the Code of Practice and the College of Policing's APP
"Information management: retention, review and disposal") sorts records into review groups:
- Group 1, certain public protection matters, which include the serious specified offences of the
  Criminal Justice Act 2003 Sch. 15: kept until the subject is 100 years old, reviewed every 10 years.
  Both offences this product records (86/2, Protection of Children Act 1978 s.1; 86/10, Criminal Justice
  Act 1988 s.160) are Sch. 15 sexual offences, so every crime recorded here is Group 1.
- Group 2, other sexual, violent or serious offences: reviewed every 10 years, kept while the review
  finds a policing purpose; never disposed of without that review. An offence code the operator adds
  (`police-api add-offence-code`) is taken to be here: the table holds sexual-imagery offences only, and
  a reviewer may decide what a machine cannot.
- Records of an incident in which no crime was recorded (a decision not to record, with its reason):
  the six-year clear period MoPI applies to Group 3 and to non-crime information.
Pure: facts in, due date and action out. The schedule is data (`SCHEDULE`).
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

SERIOUS_SPECIFIED_OFFENCES = frozenset({"86/2", "86/10"})


class PoliceRecordType(StrEnum):
    group_1_public_protection = "group_1_public_protection"
    group_2_sexual_violent_serious = "group_2_sexual_violent_serious"
    no_crime_recorded = "no_crime_recorded"


class RetentionAction(StrEnum):
    # Personal fields and free text erased; a skeleton (ids, references, offence and outcome codes,
    # dates, link roles) kept so that crime statistics and the audit chain remain valid.
    anonymise = "anonymise"
    # A person must decide: the job lists the record and changes nothing.
    review = "review"


@dataclass(frozen=True)
class ScheduleEntry:
    record_type: PoliceRecordType
    # Kept until the subject is this old (None: not by age).
    until_age: int | None
    # Or this many years after the record's last event (None: not by time).
    years_after: int | None
    review_every_years: int | None
    action: RetentionAction
    source: str


SCHEDULE: dict[PoliceRecordType, ScheduleEntry] = {
    PoliceRecordType.group_1_public_protection: ScheduleEntry(
        PoliceRecordType.group_1_public_protection, 100, None, 10, RetentionAction.anonymise,
        "MoPI Group 1 (CJA 2003 Sch. 15 offence): until the subject is 100, reviewed every 10 years",
    ),
    PoliceRecordType.group_2_sexual_violent_serious: ScheduleEntry(
        PoliceRecordType.group_2_sexual_violent_serious, None, 10, 10, RetentionAction.review,
        "MoPI Group 2: reviewed every 10 years, kept while a policing purpose remains",
    ),
    PoliceRecordType.no_crime_recorded: ScheduleEntry(
        PoliceRecordType.no_crime_recorded, None, 6, None, RetentionAction.anonymise,
        "MoPI six-year clear period (no crime recorded)",
    ),
}


@dataclass(frozen=True)
class IncidentFacts:
    reported_on: date
    # The day of the incident's last decision: finalised, or the decision not to record a crime.
    closed_on: date | None
    offence_codes: Sequence[str]
    no_crime_decided: bool
    # Every person linked to the incident: their dates of birth, None where not known.
    dates_of_birth: Sequence[date | None]


@dataclass(frozen=True)
class RetentionDue:
    record_type: PoliceRecordType
    due_on: date
    action: RetentionAction
    next_review_on: date | None
    source: str


def add_years(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def record_type_of(facts: IncidentFacts) -> PoliceRecordType:
    """The MoPI group of an incident's records, from the offences recorded on it.

    A report with no crime recorded and no decision not to record one is kept as the offence it reports
    (Group 1): NCRS asks for the decision within 24 hours, and until it is made nothing may lapse.
    """
    if any(code in SERIOUS_SPECIFIED_OFFENCES for code in facts.offence_codes):
        return PoliceRecordType.group_1_public_protection
    if facts.offence_codes:
        return PoliceRecordType.group_2_sexual_violent_serious
    if facts.no_crime_decided:
        return PoliceRecordType.no_crime_recorded
    return PoliceRecordType.group_1_public_protection


def retention_of_incident(facts: IncidentFacts, today: date) -> RetentionDue:
    """DOMAIN.md §5 (MoPI): when an incident's records fall due, what is then done, and the next review.

    Group 1 runs until the youngest linked person is 100; a person whose date of birth is unknown is
    taken to have been born on the day of the report, the longest the record could need to be kept.
    An incident that is not closed is reviewed when due, never anonymised unseen.
    """
    record_type = record_type_of(facts)
    entry = SCHEDULE[record_type]
    start = facts.closed_on or facts.reported_on
    if entry.until_age is not None:
        births = [born or facts.reported_on for born in facts.dates_of_birth] or [facts.reported_on]
        due_on = max(add_years(born, entry.until_age) for born in births)
    else:
        assert entry.years_after is not None
        due_on = add_years(start, entry.years_after)
    closed = facts.closed_on is not None
    action = entry.action if closed else RetentionAction.review
    return RetentionDue(record_type, due_on, action, _next_review(entry, facts.reported_on, today), entry.source)


def _next_review(entry: ScheduleEntry, reported_on: date, today: date) -> date | None:
    """The first review anniversary (every N years from the report) after today."""
    if entry.review_every_years is None:
        return None
    years = entry.review_every_years
    while add_years(reported_on, years) <= today:
        years += entry.review_every_years
    return add_years(reported_on, years)


def is_due(due: RetentionDue, today: date) -> bool:
    return due.due_on <= today
