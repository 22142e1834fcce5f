from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.school_api.access import SchoolContext
from services.school_api.subject_access import service
from services.school_api.subject_access.schemas import SubjectAccessExport
from shared.http import problem_responses

router = APIRouter(tags=["subject access"])


@router.get(
    "/incidents/{incident_id}/people/{person_id}/subject-access-export",
    response_model=SubjectAccessExport,
    responses=problem_responses(404),
)
async def export_subject_access(incident_id: uuid.UUID, person_id: uuid.UUID, ctx: SchoolContext) -> SubjectAccessExport:
    """Everything held about this person, in every incident that names them (found by UPN, or name and date
    of birth), for the DSL to release: other people's names redacted (UK GDPR Art. 15(4)). Audited record by record."""
    return await service.export(ctx, incident_id, person_id)
