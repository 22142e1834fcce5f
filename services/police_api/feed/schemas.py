"""The changes feed on the wire: a page of changed reports with their current status, and the cursor."""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.police_api.reports.schemas import ReportStatus


class StatusChangeOut(BaseModel):
    position: int
    report_id: uuid.UUID
    changed_at: datetime
    status: ReportStatus


class StatusFeedPage(BaseModel):
    """`items` in feed order; follow with `after=next_cursor`. One item per report: its latest change."""

    items: list[StatusChangeOut]
    next_cursor: str
