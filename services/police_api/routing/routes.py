from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.police_api.access import PoliceContext
from services.police_api.incidents import service as incidents
from services.police_api.routing import service
from services.police_api.routing.schemas import (
    AssessmentIn,
    AssessmentOut,
    EducationIn,
    EducationOut,
    EducationPage,
    ReasonOut,
    RepeatOut,
    RestorativeMeetingIn,
    RestorativeMeetingOut,
    RestorativeMeetingPage,
    RouteIn,
    RouteOverrideIn,
)
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(prefix="/incidents/{incident_id}", tags=["routing"])


def assessment_out(assessment: service.Assessment, response: Response) -> AssessmentOut:
    incident = assessment.incident
    response.headers["ETag"] = etag(incident.version)
    return AssessmentOut(
        incident_id=incident.id,
        repeats=[
            RepeatOut(
                person_id=r.person_id,
                link_role=r.link_role,
                is_repeat=r.finding.is_repeat,
                earlier_references=r.finding.earlier_references,
                earlier_incident_ids=r.finding.earlier_incident_ids,
            )
            for r in assessment.repeats
        ],
        repeat_flagged=assessment.repeat_flagged,
        adult_implicated=assessment.adult_implicated,
        adult_person_ids=assessment.adult_person_ids,
        indicators=assessment.indicators,
        full_investigation_reasons=[ReasonOut(rule=r.rule, reason=r.reason) for r in assessment.full_investigation],
        computed_route=assessment.computed.route,
        computed_reasons=[ReasonOut(rule=r.rule, reason=r.reason) for r in assessment.computed.reasons],
        route=incident.route,
        route_override_reason=incident.route_override_reason,
        no_prosecution_reason=incident.no_prosecution_reason,
        version=incident.version,
    )


@router.get("/assessment", response_model=AssessmentOut, responses=problem_responses(404))
async def get_assessment(incident_id: uuid.UUID, ctx: PoliceContext, response: Response) -> AssessmentOut:
    """Repeat (P-REPEAT, with the earlier incidents named), adult implicated, full-investigation findings
    (P-FULL-INVESTIGATION) and the route they lead to (P-ROUTE), each with its reasons."""
    incident = await incidents.get_incident(ctx, incident_id)
    return assessment_out(await service.assess(ctx, incident), response)


@router.put("/assessment", response_model=AssessmentOut, responses=problem_responses(404, 409, 412, 428))
async def record_assessment(
    incident_id: uuid.UUID, body: AssessmentIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> AssessmentOut:
    """Record the findings that call for a full investigation (exploitation, coercion, grooming …). If-Match: the incident's ETag."""
    incident = await service.record_indicators(ctx, incident_id, body.indicators, expected_version(if_match))
    return assessment_out(await service.assess(ctx, incident), response)


@router.post("/route", response_model=AssessmentOut, responses=problem_responses(404, 409, 412, 428))
async def route_incident(
    incident_id: uuid.UUID, body: RouteIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> AssessmentOut:
    """Take the computed route (P-ROUTE): CID, or the SCPO with the recorded decision not to prosecute."""
    assessment = await service.route_incident(
        ctx, incident_id, route=body.route, override_reason=None, no_prosecution_reason=body.no_prosecution_reason,
        expected_version=expected_version(if_match),
    )
    return assessment_out(assessment, response)


@router.post("/route-override", response_model=AssessmentOut, responses=problem_responses(404, 409, 412, 428))
async def override_route(
    incident_id: uuid.UUID, body: RouteOverrideIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> AssessmentOut:
    """A supervisor sets aside the computed route with a written reason (audited), e.g. P-REPEAT considered on its merits."""
    assessment = await service.route_incident(
        ctx, incident_id, route=body.route, override_reason=body.reason, no_prosecution_reason=body.no_prosecution_reason,
        expected_version=expected_version(if_match),
    )
    return assessment_out(assessment, response)


@router.post("/restorative-meetings", status_code=201, response_model=RestorativeMeetingOut, responses=problem_responses(404, 409))
async def record_restorative_meeting(incident_id: uuid.UUID, body: RestorativeMeetingIn, ctx: PoliceContext) -> RestorativeMeetingOut:
    """The SCPO's victim/offender meeting (P-ROUTE): who attended, when, the outcome."""
    meeting = await service.record_restorative_meeting(
        ctx, incident_id, held_on=body.held_on, attendees=[a.model_dump(mode="json") for a in body.attendees], outcome=body.outcome
    )
    return RestorativeMeetingOut.model_validate(meeting, from_attributes=True)


@router.get("/restorative-meetings", response_model=RestorativeMeetingPage, responses=problem_responses(400, 404))
async def list_restorative_meetings(
    incident_id: uuid.UUID, ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> RestorativeMeetingPage:
    rows, next_cursor = await service.meetings_of(ctx, incident_id, cursor=cursor, limit=limit)
    return RestorativeMeetingPage(items=[RestorativeMeetingOut.model_validate(m, from_attributes=True) for m in rows], next_cursor=next_cursor)


@router.post("/education", status_code=201, response_model=EducationOut, responses=problem_responses(404, 409))
async def record_education(incident_id: uuid.UUID, body: EducationIn, ctx: PoliceContext) -> EducationOut:
    """The educational response (P-ROUTE): a lesson or assembly, or a specific input to the victim or offender."""
    record = await service.record_education(
        ctx, incident_id, kind=body.kind, delivered_on=body.delivered_on, person_id=body.person_id, description=body.description
    )
    return EducationOut.model_validate(record, from_attributes=True)


@router.get("/education", response_model=EducationPage, responses=problem_responses(400, 404))
async def list_education(
    incident_id: uuid.UUID, ctx: PoliceContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> EducationPage:
    rows, next_cursor = await service.education_of(ctx, incident_id, cursor=cursor, limit=limit)
    return EducationPage(items=[EducationOut.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)
