"""The force's retention schedule (DOMAIN.md §5, docs/retention.md): MoPI review groups."""
from __future__ import annotations

from datetime import date

from services.police_api.rules.retention import (
    SCHEDULE,
    IncidentFacts,
    PoliceRecordType,
    RetentionAction,
    is_due,
    record_type_of,
    retention_of_incident,
)

REPORTED = date(2026, 11, 27)
TODAY = date(2026, 12, 3)


def facts(*births: date | None, codes: tuple[str, ...] = (), no_crime: bool = False, closed_on: date | None = None) -> IncidentFacts:
    return IncidentFacts(reported_on=REPORTED, closed_on=closed_on, offence_codes=codes, no_crime_decided=no_crime, dates_of_birth=births)


def test_indecent_image_offences_are_group_1_kept_until_the_youngest_subject_is_100() -> None:
    for code in ("86/2", "86/10"):
        due = retention_of_incident(facts(date(2011, 3, 4), date(2012, 7, 1), codes=(code,), closed_on=REPORTED), TODAY)
        assert due.record_type is PoliceRecordType.group_1_public_protection
        assert due.due_on == date(2112, 7, 1)
        assert due.action is RetentionAction.anonymise


def test_group_1_is_reviewed_every_10_years_from_the_report() -> None:
    assert retention_of_incident(facts(date(2011, 3, 4), codes=("86/2",)), TODAY).next_review_on == date(2036, 11, 27)
    assert retention_of_incident(facts(date(2011, 3, 4), codes=("86/2",)), date(2036, 11, 27)).next_review_on == date(2046, 11, 27)


def test_a_subject_of_unknown_birth_is_taken_as_born_on_the_day_of_the_report() -> None:
    assert retention_of_incident(facts(date(2011, 3, 4), None, codes=("86/2",)), TODAY).due_on == date(2126, 11, 27)


def test_another_offence_is_group_2_and_only_ever_reviewed() -> None:
    due = retention_of_incident(facts(date(2011, 3, 4), codes=("999/1",), closed_on=REPORTED), TODAY)
    assert due.record_type is PoliceRecordType.group_2_sexual_violent_serious
    assert due.due_on == date(2036, 11, 27) and due.action is RetentionAction.review
    # One indecent-image crime among them makes the whole incident Group 1.
    assert record_type_of(facts(codes=("999/1", "86/10"))) is PoliceRecordType.group_1_public_protection


def test_no_crime_recorded_is_kept_six_years_from_the_decision_then_anonymised() -> None:
    decided = date(2026, 11, 28)
    due = retention_of_incident(facts(date(2011, 3, 4), no_crime=True, closed_on=decided), TODAY)
    assert due.record_type is PoliceRecordType.no_crime_recorded
    assert due.due_on == date(2032, 11, 28) and due.action is RetentionAction.anonymise and due.next_review_on is None
    assert not is_due(due, date(2032, 11, 27)) and is_due(due, date(2032, 11, 28))


def test_a_report_with_no_decision_yet_is_kept_as_the_offence_it_reports_and_never_lapses_unseen() -> None:
    due = retention_of_incident(facts(date(2011, 3, 4)), TODAY)
    assert due.record_type is PoliceRecordType.group_1_public_protection
    assert due.action is RetentionAction.review


def test_the_schedule_cites_mopi_for_every_group() -> None:
    assert all("MoPI" in entry.source for entry in SCHEDULE.values())
