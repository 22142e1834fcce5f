"""The Force Crime Registrar's NCRS view (P-CRIME): crimes recorded after their 24-hour deadline, and
reports still without a crime decision after 24 hours; and the findings calling for a full investigation
that officers cleared or overrode (P-FULL-INVESTIGATION), so that none is set aside unseen."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select

from services.police_api.crimes.models import Crime
from services.police_api.incidents.models import PoliceIncident
from services.police_api.reports.models import SchoolReport
from services.police_api.routing.models import FindingDecision
from services.police_api.routing.vocabulary import FindingAction, FullInvestigationIndicator, PoliceRank
from services.police_api.rules.crime import crime_decision_overdue, recorded_late, time_left
from shared.context import Context
from shared.pagination import Keyset, fetch_rows_page


@dataclass(frozen=True)
class LateCrime:
    crime_id: uuid.UUID
    incident_id: uuid.UUID
    police_reference: str
    offence_code: str
    deadline_at: datetime
    recorded_at: datetime
    late_by_seconds: int


@dataclass(frozen=True)
class UndecidedReport:
    incident_id: uuid.UUID
    report_id: uuid.UUID | None
    police_reference: str
    deadline_at: datetime
    overdue: bool
    time_left_seconds: int


@dataclass(frozen=True)
class FindingDecisionRow:
    decision_id: uuid.UUID
    incident_id: uuid.UUID
    police_reference: str
    indicator: FullInvestigationIndicator
    action: FindingAction
    reason: str
    decided_by: str
    decided_by_rank: PoliceRank
    decided_at: datetime


LATE_NEWEST_FIRST = Keyset(Crime.recorded_at, Crime.id, of=lambda row: row[0])
# Most overdue first: the earliest deadline is the one most overdue, or nearest.
UNDECIDED_MOST_OVERDUE_FIRST = Keyset(PoliceIncident.crime_deadline_at, PoliceIncident.id, newest_first=False, of=lambda row: row[0])
DECISIONS_NEWEST_FIRST = Keyset(FindingDecision.decided_at, FindingDecision.id, of=lambda row: row[0])


def _window(reported_from: datetime | None, reported_to: datetime | None) -> list[Any]:
    window = []
    if reported_from is not None:
        window.append(PoliceIncident.reported_at >= reported_from)
    if reported_to is not None:
        window.append(PoliceIncident.reported_at < reported_to)
    return window


async def late_crimes(
    ctx: Context, *, reported_from: datetime | None, reported_to: datetime | None, cursor: str | None, limit: int
) -> tuple[list[LateCrime], str | None]:
    """Crimes recorded after their 24-hour deadline, latest recorded first."""
    query = (
        select(Crime, PoliceIncident.reference)
        .join(PoliceIncident, PoliceIncident.id == Crime.incident_id)
        .where(Crime.recorded_at > Crime.deadline_at, *_window(reported_from, reported_to))
    )
    rows, next_cursor = await fetch_rows_page(ctx.session, query, LATE_NEWEST_FIRST, cursor, limit)
    late = [
        LateCrime(
            crime_id=crime.id,
            incident_id=crime.incident_id,
            police_reference=reference,
            offence_code=crime.offence_code,
            deadline_at=crime.deadline_at,
            recorded_at=crime.recorded_at,
            late_by_seconds=int((crime.recorded_at - crime.deadline_at).total_seconds()),
        )
        for crime, reference in rows
        if recorded_late(crime.recorded_at, crime.deadline_at)
    ]
    # A row shows more than its own record: a late crime names its incident. Each record shown is audited.
    shown = [record for item in late for record in (("crime", item.crime_id), ("police_incident", item.incident_id))]
    ctx.audit.list_page("compliance.late_crime", "crime", shown)
    return late, next_cursor


async def undecided(
    ctx: Context, *, reported_from: datetime | None, reported_to: datetime | None, cursor: str | None, limit: int
) -> tuple[list[UndecidedReport], str | None]:
    """Incidents with neither a crime nor a decision not to record one, most overdue first."""
    query = (
        select(PoliceIncident, SchoolReport.id)
        .outerjoin(SchoolReport, SchoolReport.police_incident_id == PoliceIncident.id)
        .where(
            PoliceIncident.crime_deadline_at.is_not(None),
            PoliceIncident.no_crime_reason.is_(None),
            ~exists().where(Crime.incident_id == PoliceIncident.id),
            *_window(reported_from, reported_to),
        )
    )
    rows, next_cursor = await fetch_rows_page(ctx.session, query, UNDECIDED_MOST_OVERDUE_FIRST, cursor, limit)
    items = [
        UndecidedReport(
            incident_id=incident.id,
            report_id=report_id,
            police_reference=incident.reference,
            deadline_at=incident.crime_deadline_at,
            overdue=crime_decision_overdue(ctx.now, incident.crime_deadline_at, decision_made=False),
            time_left_seconds=int(time_left(ctx.now, incident.crime_deadline_at).total_seconds()),
        )
        for incident, report_id in rows
    ]
    # An undecided incident names the school report it was opened for: both are audited as shown.
    shown = [
        record
        for item in items
        for record in [("police_incident", item.incident_id), *([("school_report", item.report_id)] if item.report_id else [])]
    ]
    ctx.audit.list_page("compliance.undecided", "police_incident", shown)
    return items, next_cursor


async def finding_decisions(
    ctx: Context, *, reported_from: datetime | None, reported_to: datetime | None, cursor: str | None, limit: int
) -> tuple[list[FindingDecisionRow], str | None]:
    """Every full-investigation finding cleared or overridden (P-FULL-INVESTIGATION), latest first."""
    query = (
        select(FindingDecision, PoliceIncident.reference)
        .join(PoliceIncident, PoliceIncident.id == FindingDecision.incident_id)
        .where(*_window(reported_from, reported_to))
    )
    rows, next_cursor = await fetch_rows_page(ctx.session, query, DECISIONS_NEWEST_FIRST, cursor, limit)
    decisions = [
        FindingDecisionRow(
            decision_id=decision.id,
            incident_id=decision.incident_id,
            police_reference=reference,
            indicator=decision.indicator,
            action=decision.action,
            reason=decision.reason,
            decided_by=decision.decided_by,
            decided_by_rank=decision.decided_by_rank,
            decided_at=decision.decided_at,
        )
        for decision, reference in rows
    ]
    # A decision names the incident it was made on: both are audited as shown.
    shown = [record for row in decisions for record in (("finding_decision", row.decision_id), ("police_incident", row.incident_id))]
    ctx.audit.list_page("compliance.finding_decision", "finding_decision", shown)
    return decisions, next_cursor
