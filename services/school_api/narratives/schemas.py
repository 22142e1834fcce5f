from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.school_api.narratives.vocabulary import NarrativeField


class NarrativeVersionOut(BaseModel):
    """A text an edit replaced: the field, the text as it was, and who replaced it when."""

    id: uuid.UUID
    field: NarrativeField
    previous_text: str | None
    incident_version: int
    replaced_by: str
    replaced_by_role: str
    replaced_at: datetime


class NarrativeHistory(BaseModel):
    incident_id: uuid.UUID
    # The current texts are on the incident itself (GET /incidents/{id}); these are the ones before.
    versions: list[NarrativeVersionOut]
