from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.narratives import service
from services.school_api.narratives.schemas import NarrativeHistory, NarrativeVersionOut
from shared.http import problem_responses

router = APIRouter(prefix="/incidents/{incident_id}/narrative-history", tags=["incidents"])


@router.get("", response_model=NarrativeHistory, responses=problem_responses(404))
async def get_narrative_history(incident_id: uuid.UUID, ctx: SchoolContext) -> NarrativeHistory:
    """Every earlier text of the narrative and of where the image ended up, oldest first, with who replaced it and when."""
    incident = await incidents.get_incident(ctx, incident_id)
    versions = await service.history(ctx, incident.id)
    return NarrativeHistory(
        incident_id=incident.id, versions=[NarrativeVersionOut.model_validate(row, from_attributes=True) for row in versions]
    )
