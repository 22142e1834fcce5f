"""The Force Crime Registrar's NCRS view (P-CRIME): crimes recorded after their 24-hour deadline, and
reports still without a crime decision after 24 hours; and the findings calling for a full investigation
that officers cleared or overrode (P-FULL-INVESTIGATION), so that none is set aside unseen."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from services.police_api.crimes.models import Crime
from services.police_api.incidents.models import PoliceIncident
from services.police_api.reports.models import SchoolReport
from services.police_api.routing.models import FindingDecision
from services.police_api.routing.vocabulary import FindingAction, FullInvestigationIndicator, PoliceRank
from services.police_api.rules.crime import crime_decision_overdue, recorded_late, time_left
from shared.context import Context


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


@dataclass(frozen=True)
class ComplianceView:
    as_of: datetime
    late_crimes: list[LateCrime]
    undecided: list[UndecidedReport]
    finding_decisions: list[FindingDecisionRow]


async def crime_recording(ctx: Context, *, reported_since: datetime | None, limit: int) -> ComplianceView:
    """Most overdue first; `reported_since` limits both lists to reports received from then on."""
    window = [PoliceIncident.reported_at >= reported_since] if reported_since is not None else []
    late_rows = (
        await ctx.session.execute(
            select(Crime, PoliceIncident.reference)
            .join(PoliceIncident, PoliceIncident.id == Crime.incident_id)
            .where(Crime.recorded_at > Crime.deadline_at, *window)
            .order_by(Crime.recorded_at.desc())
            .limit(limit)
        )
    ).all()
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
        for crime, reference in late_rows
        if recorded_late(crime.recorded_at, crime.deadline_at)
    ]
    pending_rows = (
        await ctx.session.execute(
            select(PoliceIncident, SchoolReport.id)
            .outerjoin(SchoolReport, SchoolReport.police_incident_id == PoliceIncident.id)
            .where(
                PoliceIncident.crime_deadline_at.is_not(None),
                PoliceIncident.no_crime_reason.is_(None),
                ~exists().where(Crime.incident_id == PoliceIncident.id),
                *window,
            )
            .order_by(PoliceIncident.crime_deadline_at)
            .limit(limit)
        )
    ).all()
    undecided = [
        UndecidedReport(
            incident_id=incident.id,
            report_id=report_id,
            police_reference=incident.reference,
            deadline_at=incident.crime_deadline_at,
            overdue=crime_decision_overdue(ctx.now, incident.crime_deadline_at, decision_made=False),
            time_left_seconds=int(time_left(ctx.now, incident.crime_deadline_at).total_seconds()),
        )
        for incident, report_id in pending_rows
    ]
    decision_rows = (
        await ctx.session.execute(
            select(FindingDecision, PoliceIncident.reference)
            .join(PoliceIncident, PoliceIncident.id == FindingDecision.incident_id)
            .where(*window)
            .order_by(FindingDecision.decided_at.desc(), FindingDecision.id)
            .limit(limit)
        )
    ).all()
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
        for decision, reference in decision_rows
    ]
    # A row shows more than its own record: a late crime names its incident, an undecided incident the
    # school report it was opened for. Each record shown is audited, under the row's operation.
    for item in late:
        ctx.audit.record("compliance.late_crime", "crime", item.crime_id)
        ctx.audit.record("compliance.late_crime", "police_incident", item.incident_id)
    for item in undecided:
        ctx.audit.record("compliance.undecided", "police_incident", item.incident_id)
        if item.report_id is not None:
            ctx.audit.record("compliance.undecided", "school_report", item.report_id)
    for row in decisions:
        ctx.audit.record("compliance.finding_decision", "finding_decision", row.decision_id)
        ctx.audit.record("compliance.finding_decision", "police_incident", row.incident_id)
    return ComplianceView(as_of=ctx.now, late_crimes=late, undecided=undecided, finding_decisions=decisions)
