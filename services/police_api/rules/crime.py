"""P-CRIME (crime route): a crime against every victim, within 24 hours of the report (NCRS)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

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
