from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.school_api.access import SchoolContext
from services.school_api.database import AuditEntry
from shared.audit import entries_for_record
from shared.audit_schemas import AuditEntryOut
from shared.http import problem_responses

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEntryOut], responses=problem_responses(422))
async def list_audit_entries(
    ctx: SchoolContext, record_id: uuid.UUID, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditEntryOut]:
    """Who read, changed or was refused a record of this school, oldest first."""
    rows = await entries_for_record(ctx.session, AuditEntry, ctx.actor.tenant, str(record_id), limit)
    ctx.audit.record("audit.read", "audit_trail", record_id)
    return [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows]
