"""GET /audit: a record's audit entries for the overseers of its tenant, the same in both services.

No `from __future__ import annotations` here: FastAPI must see the service's context dependency
as an object, not as a name it would look up in this module.
"""
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from shared.audit import entries_for_record
from shared.audit_schemas import AuditEntryOut
from shared.http import problem_responses


def audit_router(context: Any, audit_model: type[Any], tenant_name: str) -> APIRouter:
    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.get("", response_model=list[AuditEntryOut], responses=problem_responses(422))
    async def list_audit_entries(
        ctx: context, record_id: uuid.UUID, limit: Annotated[int, Query(ge=1, le=1000)] = 200
    ) -> list[AuditEntryOut]:
        rows = await entries_for_record(ctx.session, audit_model, ctx.actor.tenant, str(record_id), limit)
        ctx.audit.record("audit.read", "audit_trail", record_id)
        return [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows]

    list_audit_entries.__doc__ = f"Who read, changed or was refused a record of this {tenant_name}, oldest first."
    return router
