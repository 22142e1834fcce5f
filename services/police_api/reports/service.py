"""Receiving a school's report (P-101, P-INCIDENT, P-PPU, P-CRIME) and telling the school what became of it.

Intake, in the request's one transaction: the report, its police incident with a force reference and
its NCRS deadline, every reported person found again in (or added to) the force's nominal index,
each linked with a role derived from what the school reported, and a PPU notification for every child.
"""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, case, func, literal, select, tuple_

from services.police_api.crimes import service as crimes
from services.police_api.crimes.models import Crime
from services.police_api.crimes.vocabulary import OUTCOME_LABELS, OutcomeCode
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.persons import service as persons
from services.police_api.persons.models import PersonLink
from services.police_api.persons.vocabulary import PersonAge
from services.police_api.ppu import service as ppu
from services.police_api.ppu.models import PPUNotification
from services.police_api.reports import intake_rows
from services.police_api.reports.models import SchoolReport
from services.police_api.reports.schemas import ReportChannel, ReportStatus, SchoolReportIn, SchoolReportReceipt, TriagePriority
from services.police_api.rules.links import derive_link_role, is_aggravated
from services.police_api.rules.offences import age_in_years, age_status
from services.police_api.rules.route import reported_indicators
from services.police_api.rules.triage import PRIORITY_ORDER, proposed_priority
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, decode_position, encode_position, fetch_rows_page
from shared.problems import MalformedRequest, NotFound

RECORD = "school_report"


async def receive_report(ctx: Context, data: SchoolReportIn, *, answering: uuid.UUID) -> SchoolReportReceipt:
    """Store the report, open its police incident, index and link its people, notify the PPU, and store the
    receipt as the answer of the Idempotency-Key claim `answering`: every new row written at the end in one
    statement, which numbers the incident (reports.intake_rows)."""
    typology = data.risk_assessment.typology if data.risk_assessment else None
    incident = incidents.new_incident(
        ctx,
        IncidentClassification.youth_produced_sexual_imagery,
        reported_at=ctx.now,
        indicators=[i.value for i in reported_indicators([[r.value for r in p.roles] for p in data.people], typology)],
    )
    ctx.audit.record("police_incident.create", incidents.RECORD, incident.id)
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
        proposed_priority=proposed_priority(data.risk_assessment.immediate_criteria if data.risk_assessment else []),
        triage_priority=None,
        triage_note=None,
        triaged_by=None,
        triaged_at=None,
        version=1,
    )
    ctx.audit.record("school_report.create", RECORD, report.id)
    rows = intake_rows.IntakeRows(incident, report)
    await _link_reported_people(ctx, rows, data)
    await intake_rows.write(ctx, rows, answering=answering)
    return intake_rows.receipt(report, incident)


async def _link_reported_people(ctx: Context, rows: intake_rows.IntakeRows, data: SchoolReportIn) -> None:
    today = ctx.now.date()
    ages = [
        age_status(kind=p.kind.value, date_of_birth=p.date_of_birth, age_years=p.age_years, on=today) for p in data.people
    ]
    years = [age_in_years(date_of_birth=p.date_of_birth, age_years=p.age_years, on=today) for p in data.people]
    typology = data.risk_assessment.typology if data.risk_assessment else None
    aggravated = is_aggravated(typology, [([r.value for r in p.roles], age) for p, age in zip(data.people, ages, strict=True)])
    # The same person may be reported twice (two school records): one link, with all their reported roles.
    linked: dict[uuid.UUID, tuple[PersonLink, set[str]]] = {}
    for reported, age, age_years in zip(data.people, ages, years, strict=True):
        person = await persons.find_or_create(
            ctx,
            persons.PersonDetails(
                given_name=reported.given_name,
                family_name=reported.family_name,
                date_of_birth=reported.date_of_birth,
                age_years=reported.age_years,
                kind=reported.kind.value,
                sex=reported.sex.value,
                upn=reported.upn,
            ),
            unwritten=rows.persons,
        )
        roles = {role.value for role in reported.roles}
        if person.id in linked:
            link, known = linked[person.id]
            known |= roles
            role = derive_link_role(known, link.age_status, aggravated=aggravated, age_years=link.age_years)
            if (sorted(known), role) != (link.reported_roles, link.role):
                link.reported_roles, link.role = sorted(known), role
                # Counted as the change it was when each reported person was written before the next was read.
                link.version += 1
                ctx.audit.record("person_link.update", persons.LINK, link.id)
            continue
        link = persons.new_link(
            ctx,
            rows.incident,
            person,
            role=derive_link_role(roles, age, aggravated=aggravated, age_years=age_years),
            reported_roles=sorted(roles),
            age=age,
            age_years=age_years,
            school_person_id=reported.school_person_id,
        )
        rows.links.append(link)
        ctx.audit.record("person_link.create", persons.LINK, link.id)
        notification = ppu.notification_of_new_incident(ctx, rows.incident, person.id, age)
        if notification is not None:
            rows.notifications.append(notification)
            ctx.audit.record("ppu_notification.create", ppu.RECORD, notification.id)
        linked[person.id] = (link, set(roles))


async def get_report(ctx: Context, report_id: uuid.UUID, *, operation: str = "school_report.read") -> SchoolReport:
    report = await _find_report(ctx, report_id)
    ctx.audit.record(operation, RECORD, report.id)
    return report


async def _find_report(ctx: Context, report_id: uuid.UUID) -> SchoolReport:
    query = select(SchoolReport).where(SchoolReport.id == report_id)
    if ctx.actor.school_urn is not None:
        # A school client sees its own school's reports only, never another school's in the same force.
        query = query.where(SchoolReport.school_urn == ctx.actor.school_urn)
    report = await ctx.session.scalar(query)
    if report is None:
        raise NotFound("No such report.")
    return report


@dataclass(frozen=True)
class ReportFilter:
    """How an officer narrows the incoming list: by school, either reference, channel, triage or arrival."""

    school_urn: str | None = None
    school_reference: str | None = None
    police_reference: str | None = None
    channel: ReportChannel | None = None
    untriaged_only: bool = False
    priority: TriagePriority | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


# A list reads only the columns its summary shows, named as `SchoolReportSummary` names them: no sealed column
# (the whole report, officers' texts) is loaded or opened and no ORM object is built for a row, which were
# nearly all of a 50-row page's cost beyond a 1-row page's.
SUMMARY_COLUMNS = (
    SchoolReport.id,
    PoliceIncident.id.label("police_incident_id"),
    PoliceIncident.reference.label("police_reference"),
    SchoolReport.school_urn,
    SchoolReport.school_incident_reference,
    SchoolReport.channel,
    SchoolReport.received_at,
    SchoolReport.proposed_priority,
    SchoolReport.triage_priority,
    SchoolReport.triaged_at,
)

KEYSET = Keyset(SchoolReport.received_at, SchoolReport.id)


def _summaries() -> Select[Any]:
    return select(*SUMMARY_COLUMNS).join(PoliceIncident, PoliceIncident.id == SchoolReport.police_incident_id)


async def list_reports(ctx: Context, where: ReportFilter, *, cursor: str | None, limit: int) -> tuple[list[Row[Any]], str | None]:
    """Incoming reports, newest first: each a row of `SUMMARY_COLUMNS`."""
    query = _summaries()
    if where.school_urn is not None:
        query = query.where(SchoolReport.school_urn == where.school_urn)
    if where.school_reference is not None:
        query = query.where(SchoolReport.school_incident_reference == where.school_reference)
    if where.police_reference is not None:
        query = query.where(PoliceIncident.reference == where.police_reference)
    if where.channel is not None:
        query = query.where(SchoolReport.channel == where.channel)
    if where.untriaged_only:
        query = query.where(SchoolReport.triaged_at.is_(None))
    if where.priority is not None:
        query = query.where(SchoolReport.triage_priority == where.priority)
    if where.received_from is not None:
        query = query.where(SchoolReport.received_at >= where.received_from)
    if where.received_to is not None:
        query = query.where(SchoolReport.received_at < where.received_to)
    rows, next_cursor = await fetch_rows_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("school_report.list", RECORD, _reports_shown(rows))
    return rows, next_cursor


def _reports_shown(rows: Sequence[Row[Any]]) -> list[tuple[str, uuid.UUID]]:
    """Each report of a page beside its incident, as the summary shows them."""
    return [record for row in rows for record in ((RECORD, row.id), (incidents.RECORD, row.police_incident_id))]


async def intake_queue(ctx: Context, *, cursor: str | None, limit: int) -> tuple[list[Row[Any]], str | None]:
    """P-TRIAGE: the reports not yet triaged, the priority their S-IMMEDIATE criteria propose first (a child at
    immediate risk of harm at the top), then the longest waiting.

    The order has three keys (priority, arrival, id), more than `Keyset` pages by, so the cursor carries the
    priority's place and the arrival time together and the page starts after that row.
    """
    rank = case(
        *((SchoolReport.proposed_priority == priority, order) for priority, order in PRIORITY_ORDER.items()),
        else_=len(PRIORITY_ORDER),
    )
    query = (
        _summaries()
        .where(SchoolReport.triaged_at.is_(None))
        .order_by(rank, SchoolReport.received_at, SchoolReport.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        after_rank, after_at, after_id = _decode_queue_cursor(cursor)
        here = tuple_(rank, SchoolReport.received_at, SchoolReport.id)
        query = query.where(
            here > tuple_(literal(after_rank), literal(after_at, SchoolReport.received_at.type), literal(after_id, SchoolReport.id.type))
        )
    rows = list((await ctx.session.execute(query)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        place = PRIORITY_ORDER.get(last.proposed_priority, len(PRIORITY_ORDER))
        next_cursor = encode_position(f"{place}|{last.received_at.isoformat()}", last.id)
    ctx.audit.list_page("school_report.intake_queue", RECORD, _reports_shown(rows))
    return rows, next_cursor


def _decode_queue_cursor(cursor: str) -> tuple[int, datetime, uuid.UUID]:
    value, record_id = decode_position(cursor)
    try:
        place, at = str(value).split("|", 1)
        received_at = datetime.fromisoformat(at)
        if received_at.tzinfo is None:
            raise ValueError("naive cursor")
        return int(place), received_at, uuid.UUID(record_id)
    except ValueError as exc:
        raise MalformedRequest("The cursor is not one this service issued.") from exc


async def incident_of(ctx: Context, report: SchoolReport) -> PoliceIncident:
    """The incident opened for the report, shown beside it to officers."""
    incident = await ctx.session.get_one(PoliceIncident, report.police_incident_id)
    ctx.audit.record("police_incident.read", incidents.RECORD, incident.id)
    return incident


async def triage(
    ctx: Context, report_id: uuid.UUID, *, priority: TriagePriority, note: str | None, expected_version: int
) -> SchoolReport:
    report = await get_report(ctx, report_id)
    check_version(report.version, expected_version)
    report.triage_priority = priority
    report.triage_note = note
    report.triaged_by = ctx.actor.audit_label
    report.triaged_at = ctx.now
    report.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("school_report.triage", RECORD, report.id)
    return report


def outcome_summary(codes: list[int]) -> str | None:
    if not codes:
        return None
    counted = Counter(codes)
    return "; ".join(
        f"Outcome {code}: {OUTCOME_LABELS[OutcomeCode(code)]}" + (f" ({n} crimes)" if n > 1 else "")
        for code, n in sorted(counted.items())
    )


async def report_status(ctx: Context, report_id: uuid.UUID) -> ReportStatus:
    """What the reporting school may know: facts of progress, never officers' notes, names or reasons."""
    status, shown = await status_of(ctx, report_id)
    # Named as the status view: the school sees progress, not the records.
    for record_type, record_id in shown:
        ctx.audit.record(f"{record_type}.status", record_type, record_id)
    return status


async def status_of(ctx: Context, report_id: uuid.UUID) -> tuple[ReportStatus, list[tuple[str, uuid.UUID]]]:
    """The report's status and the records it was read from (the report, its incident, its crimes), for the
    caller to audit: one read of one report, or one row for a page of the status feed."""
    report = await _find_report(ctx, report_id)
    incident = await ctx.session.get_one(PoliceIncident, report.police_incident_id)
    crime_rows = list((await ctx.session.scalars(select(Crime).where(Crime.incident_id == incident.id))).all())
    shown = [(RECORD, report.id), (incidents.RECORD, incident.id), *shown_as(crimes.RECORD, crime_rows)]
    notified, last_notified_at = (
        await ctx.session.execute(
            select(func.count(), func.max(PPUNotification.created_at)).where(PPUNotification.incident_id == incident.id)
        )
    ).one()
    children = await ctx.session.scalar(
        select(func.count()).select_from(PersonLink).where(PersonLink.incident_id == incident.id, PersonLink.age_status != PersonAge.adult)
    )
    codes = sorted(crime.outcome_code for crime in crime_rows if crime.outcome_code is not None)
    stamps = [report.updated_at, incident.updated_at, *(crime.updated_at for crime in crime_rows)]
    ppu_notified = bool(notified) and notified >= (children or 0)
    decided_at = [crime.recorded_at for crime in crime_rows] + ([incident.no_crime_decided_at] if incident.no_crime_decided_at else [])
    return ReportStatus(
        id=report.id,
        police_reference=incident.reference,
        received_at=report.received_at,
        crimes_recorded=len(crime_rows),
        crime_decision_made=bool(crime_rows) or incident.no_crime_reason is not None,
        ppu_notified=ppu_notified,
        route=incident.route.value if incident.route is not None else None,
        outcome_codes=codes,
        outcome=outcome_summary(codes),
        finalised=incident.status is PoliceIncidentStatus.finalised,
        updated_at=max(stamps),
        crime_decision_at=min(decided_at) if decided_at else None,
        ppu_notified_at=last_notified_at if ppu_notified else None,
        routed_at=incident.routed_at,
        finalised_at=incident.finalised_at,
    ), shown
