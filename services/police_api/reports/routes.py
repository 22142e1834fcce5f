from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from services.police_api.access import PoliceContext
from services.police_api.reports import idempotency, service
from services.police_api.reports.schemas import ReportStatus, SchoolReportIn, SchoolReportReceipt
from shared.context import runtime_of
from shared.db import on_rollback
from shared.http import problem_responses

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
    """A school's report (P-101). Exactly once per Idempotency-Key: a repeat replays the first answer."""
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
    report, incident = await service.receive_report(ctx, body)
    answer = service.receipt(report, incident).model_dump(mode="json")
    await idempotency.complete(ctx.session, claim.record_id, 201, answer)
    return JSONResponse(answer, status_code=201, headers={"Location": f"/reports/{report.id}"})


@router.get("/{report_id}/status", response_model=ReportStatus, responses=problem_responses(404))
async def get_report_status(report_id: uuid.UUID, ctx: PoliceContext) -> ReportStatus:
    """For the reporting school only: reference, crimes recorded, PPU notified, route and outcome."""
    return await service.report_status(ctx, report_id)
