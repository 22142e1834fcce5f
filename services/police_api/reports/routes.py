from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind
from pydantic import AwareDatetime
from sqlalchemy import Row

from services.police_api.access import PoliceContext
from services.police_api.incidents.models import PoliceIncident
from services.police_api.reports import idempotency, service
from services.police_api.reports.models import SchoolReport
from services.police_api.reports.schemas import (
    ReportChannel,
    ReportStatus,
    SchoolReportIn,
    SchoolReportOut,
    SchoolReportPage,
    SchoolReportReceipt,
    TriageIn,
    TriagePriority,
)
from shared import tracing
from shared.concurrency import etag, expected_version
from shared.context import runtime_of
from shared.db import on_rollback
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(prefix="/reports", tags=["reports"])


@router.post(
    "",
    status_code=201,
    response_model=SchoolReportReceipt,
    responses=problem_responses(400, 409, 422),
)
async def submit_report(
    body: SchoolReportIn,
    ctx: PoliceContext,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """A school's report (P-101). Exactly once per Idempotency-Key: a repeat replays the first answer.

    Opens the police incident (P-INCIDENT), indexes and links every reported person (P-CRIME), notifies
    the PPU of every child (P-PPU) and starts the 24-hour crime-recording clock (NCRS)."""
    with tracing.span(
        "school_report.receive", kind=SpanKind.SERVER, parent=tracing.context_from_headers(request.headers),
        school_incident_id=str(body.school_incident_id),
    ):
        return await _receive(body, ctx, request, idempotency_key)


async def _receive(body: SchoolReportIn, ctx: PoliceContext, request: Request, idempotency_key: str | None) -> JSONResponse:
    settings = request.app.state.settings
    claim = await idempotency.claim(
        runtime_of(request),
        client_id=ctx.actor.subject,
        key=idempotency.checked_key(idempotency_key),
        fingerprint=idempotency.request_hash(body.model_dump(mode="json")),
        now=ctx.now,
        lock_seconds=settings.idempotency_lock_seconds,
        retention_days=settings.idempotency_retention_days,
    )
    if claim.replay is not None:
        ctx.audit.record("school_report.replay", service.RECORD, claim.replay.body.get("id"))
        return JSONResponse(claim.replay.body, status_code=claim.replay.status)
    assert claim.record_id is not None
    on_rollback(ctx.session, lambda: idempotency.release(runtime_of(request), claim.record_id))
    receipt = await service.receive_report(ctx, body, answering=claim.record_id)
    return JSONResponse(receipt.model_dump(mode="json"), status_code=201, headers={"Location": f"/reports/{receipt.id}"})


@router.get("/{report_id}/status", response_model=ReportStatus, responses=problem_responses(404))
async def get_report_status(report_id: uuid.UUID, ctx: PoliceContext) -> ReportStatus:
    """For the reporting school only: reference, crimes recorded, PPU notified, route and outcome."""
    return await service.report_status(ctx, report_id)


def _summary(report: SchoolReport, incident: PoliceIncident) -> dict[str, object]:
    return dict(
        id=report.id,
        police_incident_id=incident.id,
        police_reference=incident.reference,
        school_urn=report.school_urn,
        school_incident_reference=report.school_incident_reference,
        channel=report.channel,
        received_at=report.received_at,
        proposed_priority=report.proposed_priority,
        triage_priority=report.triage_priority,
        triaged_at=report.triaged_at,
    )


def _page(rows: Sequence[Row[Any]], next_cursor: str | None) -> SchoolReportPage:
    # The rows carry the summary's fields by name. As plain dicts the page is validated in one call: a model
    # built a row, or read from the rows' attributes, cost four times as much.
    fields = rows[0]._fields if rows else ()
    return SchoolReportPage.model_validate({"items": [dict(zip(fields, row, strict=True)) for row in rows], "next_cursor": next_cursor})


@router.get("", response_model=SchoolReportPage, responses=problem_responses(400, 422))
async def list_reports(
    ctx: PoliceContext,
    school_urn: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    school_reference: Annotated[str | None, Query(max_length=40, description="the school's incident reference")] = None,
    police_reference: Annotated[str | None, Query(max_length=40, description="the police incident's reference")] = None,
    channel: ReportChannel | None = None,
    untriaged: bool = False,
    priority: TriagePriority | None = None,
    received_from: AwareDatetime | None = None,
    received_to: AwareDatetime | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> SchoolReportPage:
    """Incoming school reports of the force, newest first: narrowed to one school, a school or police
    reference, a channel, those not yet triaged (`untriaged=true`) or of one priority, or a window of arrival
    (`received_from` inclusive, `received_to` exclusive)."""
    where = service.ReportFilter(
        school_urn=school_urn, school_reference=school_reference, police_reference=police_reference, channel=channel,
        untriaged_only=untriaged, priority=priority, received_from=received_from, received_to=received_to,
    )
    rows, next_cursor = await service.list_reports(ctx, where, cursor=cursor, limit=limit)
    return _page(rows, next_cursor)


# Registered before `/{report_id}`, which would otherwise take the path.
@router.get("/intake-queue", response_model=SchoolReportPage, responses=problem_responses(400, 422))
async def list_intake_queue(ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE) -> SchoolReportPage:
    """Reports awaiting triage in the order to take them (P-TRIAGE): the priority the school's S-IMMEDIATE
    criteria propose (a child at immediate risk of harm first), then the longest waiting."""
    rows, next_cursor = await service.intake_queue(ctx, cursor=cursor, limit=limit)
    return _page(rows, next_cursor)


async def _report_out(ctx: PoliceContext, report: SchoolReport, response: Response) -> SchoolReportOut:
    incident = await service.incident_of(ctx, report)
    response.headers["ETag"] = etag(report.version)
    return SchoolReportOut(
        **_summary(report, incident),
        content=report.content,
        triage_note=report.triage_note,
        triaged_by=report.triaged_by,
        version=report.version,
    )


@router.get("/{report_id}", response_model=SchoolReportOut, responses=problem_responses(404))
async def get_report(report_id: uuid.UUID, ctx: PoliceContext, response: Response) -> SchoolReportOut:
    """The report as received (the third-party report of HOCR) with its triage; officers only."""
    report = await service.get_report(ctx, report_id)
    return await _report_out(ctx, report, response)


@router.post("/{report_id}/triage", response_model=SchoolReportOut, responses=problem_responses(404, 412, 428))
async def triage_report(
    report_id: uuid.UUID,
    body: TriageIn,
    ctx: PoliceContext,
    response: Response,
    if_match: IfMatch,
) -> SchoolReportOut:
    """The call handler's triage of an incoming report. Needs If-Match."""
    report = await service.triage(ctx, report_id, priority=body.priority, note=body.note, expected_version=expected_version(if_match))
    return await _report_out(ctx, report, response)
