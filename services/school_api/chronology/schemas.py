from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.school_api.chronology.vocabulary import ChronologyKind
from services.school_api.incidents.schemas import IncidentDetail


class ChronologyLine(BaseModel):
    """One fact of an entry in words: a label and its value, codes worded as the guidance words them."""

    label: str
    text: str


class ChronologyEntry(BaseModel):
    sequence: int
    occurred_at: datetime
    recorded_at: datetime
    kind: ChronologyKind
    record_id: uuid.UUID
    by: str | None
    summary: str
    lines: list[ChronologyLine]
    details: dict[str, Any]


class Chronology(BaseModel):
    """The incident's record in the order things happened (`occurred_at`), each entry with the time the
    school recorded it too; `lines` are for a person, `details` keep the codes for a machine."""

    incident: IncidentDetail
    entries: list[ChronologyEntry]
