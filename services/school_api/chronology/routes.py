from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.school_api.access import SchoolContext
from services.school_api.chronology import service
from services.school_api.chronology.schemas import Chronology
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/chronology", tags=["chronology"])

# The printable page loads nothing, runs nothing, and cannot be framed.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@router.get("", response_model=Chronology, responses=problem_responses(404))
async def get_chronology(incident_id: uuid.UUID, ctx: SchoolContext) -> Chronology:
    """Every entry of the incident's record, in the order the school recorded it."""
    return await service.build(ctx, incident_id)


@router.get(
    "/print",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **problem_responses(404)},
)
async def get_chronology_html(incident_id: uuid.UUID, ctx: SchoolContext) -> HTMLResponse:
    """The chronology as a printable HTML page a DSL can hand to a case conference."""
    chronology = await service.build(ctx, incident_id)
    return HTMLResponse(
        service.render_html(chronology, ctx.now),
        headers={"Content-Security-Policy": HTML_CSP, "Cache-Control": "no-store"},
    )
