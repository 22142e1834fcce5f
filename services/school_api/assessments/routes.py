from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.school_api.access import SchoolContext
from services.school_api.assessments import service
from services.school_api.assessments.schemas import AssessmentCreate, AssessmentOut, AssessmentPage
from services.school_api.incidents import service as incidents
from shared.concurrency import etag
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit

router = APIRouter(prefix="/incidents/{incident_id}/assessments", tags=["assessments"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AssessmentOut, responses=problem_responses(404, 409))
async def assess_risk(incident_id: uuid.UUID, body: AssessmentCreate, ctx: SchoolContext, response: Response) -> AssessmentOut:
    """Record a risk assessment (S-IMMEDIATE, S-FACTORS, S-TYPOLOGY) and get the recommendation with its rule
    ids and reasons. Answers that contradict the record (an adult, a pictured pupil under 13, wide sharing) are refused."""
    assessment, incident_version = await service.assess(ctx, incident_id, body)
    response.headers["ETag"] = etag(incident_version)
    return AssessmentOut.model_validate(assessment, from_attributes=True)


@router.get("", response_model=AssessmentPage, responses=problem_responses(400, 404))
async def list_assessments(
    incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> AssessmentPage:
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_assessments(ctx, incident_id, cursor=cursor, limit=limit)
    return AssessmentPage(items=[AssessmentOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)
