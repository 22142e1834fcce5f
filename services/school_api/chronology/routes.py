from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from services.school_api.access import SchoolContext
from services.school_api.chronology import service
from services.school_api.chronology.pdf import render_pdf
from services.school_api.chronology.schemas import Chronology
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/chronology", tags=["chronology"])

# The printable page loads nothing, runs nothing, and cannot be framed.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@router.get("", response_model=Chronology, responses=problem_responses(404))
async def get_chronology(incident_id: uuid.UUID, ctx: SchoolContext) -> Chronology:
    """Every entry of the incident's record in the order things happened, each with the time it was
    recorded; `lines` word every code as the guidance does, `details` keep the codes."""
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


@router.get(
    "/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(404)},
)
async def get_chronology_pdf(incident_id: uuid.UUID, ctx: SchoolContext) -> Response:
    """The printable chronology as a PDF (A4 landscape), drawn on the server without a browser."""
    chronology = await service.build(ctx, incident_id)
    return Response(
        render_pdf(chronology, ctx.now),
        media_type="application/pdf",
        headers={"Cache-Control": "no-store", "Content-Disposition": f'inline; filename="chronology-{chronology.incident.reference}.pdf"'},
    )
