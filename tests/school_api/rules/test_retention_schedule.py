"""The school's retention schedule (DOMAIN.md §5, docs/retention.md): IRMS, and IICSA for allegations."""
from __future__ import annotations

from datetime import date

from services.school_api.rules.retention import (
    SCHEDULE,
    Child,
    IncidentFacts,
    RetentionAction,
    SchoolRecordType,
    add_years,
    is_due,
    retention_of_incident,
)
from shared.redaction import ANOTHER_PERSON, names_to_redact, redact

DISCLOSED = date(2013, 3, 1)


def facts(*children: Child, aggravated: bool = False, referred: bool = False, closed: bool = True) -> IncidentFacts:
    return IncidentFacts(disclosed_on=DISCLOSED, children=children, aggravated=aggravated, referred=referred, closed=closed)


def test_a_file_managed_in_school_is_due_when_the_child_is_25_after_irms() -> None:
    due = retention_of_incident(facts(Child(date(2000, 1, 10), None)))
    assert due.record_type is SchoolRecordType.child_protection_managed_in_school
    assert due.due_on == date(2025, 1, 10)
    assert due.action is RetentionAction.anonymise
    assert "IRMS" in due.source


def test_the_youngest_child_sets_the_date() -> None:
    due = retention_of_incident(facts(Child(date(2000, 1, 10), None), Child(date(2001, 6, 1), None)))
    assert due.due_on == date(2026, 6, 1)


def test_an_age_without_a_date_of_birth_counts_from_the_latest_birth_it_allows() -> None:
    # Aged 14 on 1 March 2013: born on or before 1 March 1999, so never due before 1 March 2024.
    assert retention_of_incident(facts(Child(None, 14))).due_on == date(2024, 3, 1)


def test_a_file_with_no_child_recorded_runs_as_if_the_child_were_born_that_day() -> None:
    assert retention_of_incident(facts()).due_on == date(2038, 3, 1)
    assert retention_of_incident(facts(Child(None, None))).due_on == date(2038, 3, 1)


def test_an_allegation_of_abuse_is_kept_75_years_after_iicsa() -> None:
    for allegation in (facts(Child(date(2000, 1, 10), None), aggravated=True), facts(Child(date(2000, 1, 10), None), referred=True)):
        due = retention_of_incident(allegation)
        assert due.record_type is SchoolRecordType.child_protection_allegation
        assert due.due_on == date(2088, 3, 1)
        assert "IICSA" in due.source


def test_an_allegation_about_a_very_young_child_is_kept_until_they_are_25_if_that_is_later() -> None:
    entry = SCHEDULE[SchoolRecordType.child_protection_allegation]
    assert (entry.years_after_birth, entry.years_after_disclosure) == (25, 75)
    late = IncidentFacts(disclosed_on=date(2013, 3, 1), children=[Child(date(2070, 1, 1), None)], aggravated=True, referred=False, closed=True)
    assert retention_of_incident(late).due_on == date(2095, 1, 1)


def test_an_open_incident_that_falls_due_is_reviewed_not_anonymised() -> None:
    due = retention_of_incident(facts(Child(date(2000, 1, 10), None), closed=False))
    assert due.action is RetentionAction.review


def test_due_on_the_day_and_after_not_before() -> None:
    due = retention_of_incident(facts(Child(date(2000, 1, 10), None)))
    assert not is_due(due, date(2025, 1, 9))
    assert is_due(due, date(2025, 1, 10))
    assert is_due(due, date(2026, 12, 3))


def test_a_29_february_birthday_falls_due_on_28_february() -> None:
    assert add_years(date(2000, 2, 29), 25) == date(2025, 2, 28)


def test_other_childrens_names_are_redacted_in_texts_but_the_subjects_own_are_not() -> None:
    names = names_to_redact(["Jordan", "Okafor", "Sam", None], ["Sam", "Smith"])
    assert names == ["Jordan", "Okafor"]
    text = "Sam said JORDAN Okafor sent it; jordanna was not there."
    assert redact(text, names) == f"Sam said {ANOTHER_PERSON} {ANOTHER_PERSON} sent it; jordanna was not there."
    assert redact(None, names) is None
