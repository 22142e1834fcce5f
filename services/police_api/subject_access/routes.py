from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.police_api.access import PoliceContext
from services.police_api.subject_access import service
from services.police_api.subject_access.schemas import SubjectAccessExport
from shared.http import problem_responses

router = APIRouter(tags=["subject access"])


@router.get("/persons/{person_id}/subject-access-export", response_model=SubjectAccessExport, responses=problem_responses(404))
async def export_subject_access(person_id: uuid.UUID, ctx: PoliceContext) -> SubjectAccessExport:
    """Everything the force holds about this person of the nominal index, for the registrar to review and
    release: other people's names redacted (DPA 2018 s.45(4)(e)). Audited record by record."""
    return await service.export(ctx, person_id)
