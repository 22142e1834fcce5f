from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.pagination import Page


class AuditEntryOut(BaseModel):
    seq: int
    occurred_at: datetime
    request_id: str | None
    subject: str
    role: str
    operation: str
    record_type: str | None
    record_id: str | None
    # A list page: every record it showed, in order, and the type of each; null on any other row.
    record_ids: list[str] | None
    record_types: list[str] | None
    outcome: str
    problem_type: str | None
    hash: str


class AuditPage(Page[AuditEntryOut]):
    """A page of the audit trail, in chain order."""
