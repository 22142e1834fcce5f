from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.school_api.incidents.schemas import IncidentDetail


class ChronologyEntry(BaseModel):
    sequence: int
    at: datetime
    kind: str
    record_id: uuid.UUID
    recorded_by: str | None
    summary: str
    details: dict[str, Any]


class Chronology(BaseModel):
    incident: IncidentDetail
    entries: list[ChronologyEntry]
