"""P-CRIME (crime route): a crime against every victim, within 24 hours of the report (NCRS); P-THIRD-PARTY
(the school's report raises the crime) and P-N100 (no crime recorded: a crime-related incident)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from services.police_api.crimes.vocabulary import CrimeBasis
from services.police_api.persons.vocabulary import LinkRole
from shared.problems import RuleViolation

NCRS_RECORDING_WINDOW = timedelta(hours=24)


def crime_recording_deadline(received_at: datetime) -> datetime:
    """P-CRIME: NCRS, a crime is recorded within 24 hours of the report being received."""
    return received_at + NCRS_RECORDING_WINDOW


def time_left(now: datetime, deadline: datetime) -> timedelta:
    """Negative once the deadline has passed."""
    return deadline - now


def recorded_late(recorded_at: datetime, deadline: datetime) -> bool:
    """P-CRIME: a crime recorded after its 24-hour deadline is flagged."""
    return recorded_at > deadline


def check_recorded_time(recorded_at: datetime, *, received_at: datetime, now: datetime) -> list[RuleViolation]:
    """P-CRIME: a crime's recorded time lies between the report's receipt and now. The NCRS clock runs from
    the receipt, so a recorded time before it (a registrar's correction, say) would make any crime look on time."""
    if recorded_at > now:
        return [RuleViolation("P-CRIME", "A crime cannot be recorded in the future.")]
    if recorded_at < received_at:
        return [RuleViolation("P-CRIME", "A crime cannot be recorded before the report it comes from was received.")]
    return []


def crime_decision_overdue(now: datetime, deadline: datetime, *, decision_made: bool) -> bool:
    """P-CRIME: a report with no crime decision (crime recorded or decided not to record) after 24 hours."""
    return not decision_made and now > deadline


def check_crime_victim(role: LinkRole | None) -> list[RuleViolation]:
    """P-CRIME: one crime per victim; the person a crime is raised for must be linked as a victim."""
    if role is None:
        return [RuleViolation("P-CRIME", "The victim of a crime must be linked to the incident.")]
    if not role.is_victim:
        return [RuleViolation("P-CRIME", "A crime is raised for a person linked as victim or victim-and-suspect.")]
    return []


def check_crime_subjects(roles: Iterable[LinkRole | None]) -> list[RuleViolation]:
    """P-CRIME: the suspects or persons involved on a crime must be linked to the incident as offenders."""
    if any(role is None or not role.is_offender for role in roles):
        return [
            RuleViolation(
                "P-CRIME",
                "Every suspect or person involved on a crime must be linked to the incident as suspect, "
                "victim-and-suspect or person involved.",
            )
        ]
    return []


def victims_without_crime(victim_ids: Iterable[str], victims_with_crime: Iterable[str]) -> list[str]:
    """P-CRIME: every victim needs a crime before the crime route is complete."""
    recorded = set(victims_with_crime)
    return [victim for victim in victim_ids if victim not in recorded]


# HOCR: a report that is not recorded as a crime is kept as a crime-related incident, code N100.
CRIME_RELATED_INCIDENT_CODE = "N100"


def crime_basis(asked: CrimeBasis | None, *, from_school_report: bool) -> CrimeBasis:
    """P-THIRD-PARTY (FLOW note 5): a crime on an incident opened for a school's report is raised on that
    third-party report unless the officer names another basis; an incident officers opened has none."""
    if asked is not None:
        return asked
    return CrimeBasis.third_party_report if from_school_report else CrimeBasis.police_identified


def check_crime_basis(basis: CrimeBasis, *, from_school_report: bool) -> list[RuleViolation]:
    """P-THIRD-PARTY: the third-party rule needs the third party's report, i.e. the school's report."""
    if basis is CrimeBasis.third_party_report and not from_school_report:
        return [RuleViolation("P-THIRD-PARTY", "A crime is raised under the third-party rule only on a third party's (the school's) report.")]
    return []


def crime_related_incident_code(no_crime_decided: bool) -> str | None:
    """P-N100: an incident with a decision not to record a crime is a crime-related incident (N100)."""
    return CRIME_RELATED_INCIDENT_CODE if no_crime_decided else None
