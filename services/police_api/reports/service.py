"""Receiving a school's report (P-101, P-INCIDENT) and telling the school what became of it."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.reports.models import SchoolReport
from services.police_api.reports.schemas import ReportStatus, SchoolReportIn, SchoolReportReceipt
from shared.context import Context
from shared.problems import NotFound

RECORD = "school_report"


async def receive_report(ctx: Context, data: SchoolReportIn) -> tuple[SchoolReport, PoliceIncident]:
    """Store the report and open its police incident, in the caller's one transaction."""
    incident = await incidents.open_incident(ctx, IncidentClassification.youth_produced_sexual_imagery)
    report = SchoolReport(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        client_id=ctx.actor.subject,
        school_urn=ctx.actor.school_urn,
        school_incident_id=data.school_incident_id,
        school_incident_reference=data.school_incident_reference,
        channel=data.channel,
        received_at=ctx.now,
        content=data.model_dump(mode="json"),
        police_incident_id=incident.id,
        updated_at=ctx.now,
    )
    ctx.session.add(report)
    await ctx.session.flush()
    ctx.audit.record("school_report.create", RECORD, report.id)
    return report, incident


def receipt(report: SchoolReport, incident: PoliceIncident) -> SchoolReportReceipt:
    return SchoolReportReceipt(
        id=report.id, police_reference=incident.reference, police_incident_id=incident.id, received_at=report.received_at
    )


async def get_report(ctx: Context, report_id: uuid.UUID, *, operation: str = "school_report.read") -> SchoolReport:
    query = select(SchoolReport).where(SchoolReport.id == report_id)
    if ctx.actor.school_urn is not None:
        # A school client sees its own school's reports only, never another school's in the same force.
        query = query.where(SchoolReport.school_urn == ctx.actor.school_urn)
    report = await ctx.session.scalar(query)
    if report is None:
        raise NotFound("No such report.")
    ctx.audit.record(operation, RECORD, report.id)
    return report


async def report_status(ctx: Context, report_id: uuid.UUID) -> ReportStatus:
    report = await get_report(ctx, report_id, operation="school_report.status")
    incident = await ctx.session.get_one(PoliceIncident, report.police_incident_id)
    return ReportStatus(
        id=report.id,
        police_reference=incident.reference,
        received_at=report.received_at,
        crimes_recorded=0,
        crime_decision_made=False,
        ppu_notified=False,
        route=None,
        outcome_codes=[],
        outcome=None,
        finalised=incident.status is PoliceIncidentStatus.finalised,
        updated_at=max(report.updated_at, incident.updated_at),
    )
