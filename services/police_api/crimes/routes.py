from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.police_api.access import PoliceContext
from services.police_api.crimes import service
from services.police_api.crimes.models import Crime
from services.police_api.crimes.schemas import (
    CorrectionIn,
    CorrectionOut,
    CrimeCreate,
    CrimeOut,
    CrimePage,
    OffenceCodeOut,
    OffenceCodePage,
    OutcomeCodeOut,
    OutcomeCodePage,
    VictimContactIn,
    VictimContactOut,
)
from services.police_api.crimes.vocabulary import OUTCOME_LABELS, CrimeStatus, OutcomeCode
from services.police_api.incidents import service as incidents
from services.police_api.rules.crime import recorded_late
from shared.concurrency import etag, expected_version
from shared.context import Context
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit, page_in_order

router = APIRouter(tags=["crimes"])


async def crime_out(ctx: Context, crime: Crime, response: Response | None = None) -> CrimeOut:
    if response is not None:
        response.headers["ETag"] = etag(crime.version)
    parts = service.CrimeParts(
        subject_person_ids=await service.subjects_of(ctx, crime.id),
        corrections=await service.corrections_of(ctx, crime.id),
        contacts=await service.contacts_of(ctx, crime.id),
    )
    return crime_with_parts(crime, parts)


def crime_with_parts(crime: Crime, parts: service.CrimeParts) -> CrimeOut:
    return CrimeOut(
        id=crime.id,
        incident_id=crime.incident_id,
        victim_person_id=crime.victim_person_id,
        subject_person_ids=parts.subject_person_ids,
        offence_code=crime.offence_code,
        basis=crime.basis,
        third_party_report_id=crime.third_party_report_id,
        status=crime.status,
        recorded_at=crime.recorded_at,
        recorded_by=crime.recorded_by,
        deadline_at=crime.deadline_at,
        recorded_late=recorded_late(crime.recorded_at, crime.deadline_at),
        proposed_outcome=crime.proposed_outcome,
        proposed_rationale=crime.proposed_rationale,
        outcome_code=crime.outcome_code,
        outcome_label=OUTCOME_LABELS[OutcomeCode(crime.outcome_code)] if crime.outcome_code is not None else None,
        public_interest_rationale=crime.public_interest_rationale,
        finalised_at=crime.finalised_at,
        version=crime.version,
        corrections=[CorrectionOut.model_validate(c, from_attributes=True) for c in parts.corrections],
        contacts=[VictimContactOut.model_validate(c, from_attributes=True) for c in parts.contacts],
    )


@router.post("/incidents/{incident_id}/crimes", status_code=201, response_model=CrimeOut, responses=problem_responses(404, 409))
async def record_crime(incident_id: uuid.UUID, body: CrimeCreate, ctx: PoliceContext, response: Response) -> CrimeOut:
    """Record a crime for one victim (P-CRIME) with its Home Office offence code (P-OFFENCES); late
    recording (after the 24-hour NCRS deadline) is flagged."""
    crime = await service.record_crime(
        ctx, incident_id, victim_person_id=body.victim_person_id, offence_code=body.offence_code,
        subject_person_ids=body.subject_person_ids, basis=body.basis,
    )
    response.headers["Location"] = f"/crimes/{crime.id}"
    return await crime_out(ctx, crime, response)


@router.get("/incidents/{incident_id}/crimes", response_model=CrimePage, responses=problem_responses(400, 404))
async def list_crimes(
    incident_id: uuid.UUID,
    ctx: PoliceContext,
    status: CrimeStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> CrimePage:
    """The incident's crimes in the order recorded (P-CRIME); `status` narrows to open or finalised ones."""
    incident = await incidents.find_incident(ctx, incident_id)
    rows, parts, next_cursor = await service.page_crimes(ctx, incident.id, status=status, cursor=cursor, limit=limit)
    return CrimePage(items=[crime_with_parts(crime, parts[crime.id]) for crime in rows], next_cursor=next_cursor)


@router.get("/crimes/{crime_id}", response_model=CrimeOut, responses=problem_responses(404))
async def get_crime(crime_id: uuid.UUID, ctx: PoliceContext, response: Response) -> CrimeOut:
    crime, _ = await service.get_crime(ctx, crime_id)
    return await crime_out(ctx, crime, response)


@router.patch("/crimes/{crime_id}/recording", response_model=CrimeOut, responses=problem_responses(404, 412, 428))
async def correct_crime_recording(
    crime_id: uuid.UUID, body: CorrectionIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> CrimeOut:
    """The registrar corrects the offence code or the recorded time, with a reason kept beside the crime."""
    crime = await service.correct_recording(
        ctx, crime_id, offence_code=body.offence_code, recorded_at=body.recorded_at, reason=body.reason,
        expected_version=expected_version(if_match),
    )
    return await crime_out(ctx, crime, response)


@router.post(
    "/crimes/{crime_id}/victim-contacts", status_code=201, response_model=VictimContactOut, responses=problem_responses(404)
)
async def record_victim_contact(crime_id: uuid.UUID, body: VictimContactIn, ctx: PoliceContext) -> VictimContactOut:
    """The victim (for a child, a parent or guardian) informed of the outcome (P-OUTCOME21)."""
    contact = await service.record_victim_contact(
        ctx, crime_id, contacted=body.contacted, contacted_at=body.contacted_at, method=body.method, note=body.note
    )
    return VictimContactOut.model_validate(contact, from_attributes=True)


@router.get("/offence-codes", response_model=OffenceCodePage, responses=problem_responses(400))
async def list_offence_codes(ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE) -> OffenceCodePage:
    """The offence reference table (P-OFFENCES): 86/2, 86/10 and any the deployment's operator has added."""
    page, next_cursor = await service.page_offence_codes(ctx, cursor=cursor, limit=limit)
    return OffenceCodePage(items=[OffenceCodeOut.model_validate(row, from_attributes=True) for row in page], next_cursor=next_cursor)


@router.get("/outcome-codes", response_model=OutcomeCodePage, responses=problem_responses(400))
async def list_outcome_codes(ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE) -> OutcomeCodePage:
    """The Home Office outcome codes 0-22."""
    page, next_cursor = page_in_order(list(OutcomeCode), lambda code: code.value, cursor, limit)
    ctx.audit.list_page("outcome_code.list", "outcome_code", [("outcome_code", str(code.value)) for code in page])
    return OutcomeCodePage(
        items=[OutcomeCodeOut(code=code.value, name=code.name, label=OUTCOME_LABELS[code]) for code in page], next_cursor=next_cursor
    )
