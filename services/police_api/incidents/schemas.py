from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus


class PoliceIncidentOut(BaseModel):
    id: uuid.UUID
    force_code: str
    reference: str
    classification: IncidentClassification
    status: PoliceIncidentStatus
    created_at: datetime
    updated_at: datetime
    version: int


class PoliceIncidentPage(BaseModel):
    items: list[PoliceIncidentOut]
    next_cursor: str | None
