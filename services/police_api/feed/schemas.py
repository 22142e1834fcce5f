"""The changes feed on the wire: a page of changed reports with their current status, and the cursor."""
from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from services.police_api.reports.schemas import ReportStatus
from shared.pagination import Page


class StatusChangeOut(BaseModel):
    position: int
    report_id: uuid.UUID
    changed_at: datetime
    status: ReportStatus


class StatusFeedPage(Page[StatusChangeOut]):
    """`items` in feed order, one per change, each with its report's current status. `next_cursor` is set
    while more changes follow at once; at the end it is null, and a follower goes on from the last item's
    `position`."""
