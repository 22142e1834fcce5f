"""GET /audit: the audit trail of the caller's tenant for its overseers, the same in both services.

No `from __future__ import annotations` here: FastAPI must see the service's context dependency
as an object, not as a name it would look up in this module.
"""
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from shared.audit import AuditFilter, AuditOutcome, audit_page
from shared.audit_schemas import AuditEntryOut, AuditPage
from shared.http import problem_responses
from shared.pagination import DEFAULT_PAGE_SIZE, Cursor, Limit


def audit_router(context: Any, audit_model: type[Any], tenant_name: str) -> APIRouter:
    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.get("", response_model=AuditPage, responses=problem_responses(400, 422))
    async def list_audit_entries(
        ctx: context,
        record_id: uuid.UUID | None = None,
        operation: Annotated[str | None, Query(max_length=80, description="for example `incident.read`")] = None,
        outcome: AuditOutcome | None = None,
        occurred_from: AwareDatetime | None = None,
        occurred_to: AwareDatetime | None = None,
        cursor: Cursor = None,
        limit: Limit = DEFAULT_PAGE_SIZE,
    ) -> AuditPage:
        where = AuditFilter(
            record_id=None if record_id is None else str(record_id),
            operation=operation,
            outcome=outcome,
            occurred_from=occurred_from,
            occurred_to=occurred_to,
        )
        rows, next_cursor = await audit_page(ctx.session, audit_model, ctx.actor.tenant, where, cursor, limit)
        # The trail's rows have no ids of their own; a page of them is named by their seqs.
        ctx.audit.list_page(
            "audit.read", "audit_entry", [("audit_entry", str(row.seq)) for row in rows],
            within=None if record_id is None else ("audit_trail", record_id),
        )
        return AuditPage(items=[AuditEntryOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)

    list_audit_entries.__doc__ = (
        f"Who read, changed or was refused a record of this {tenant_name}, in the order the chain was written: "
        "one record (`record_id`: the rows about it and the list pages that showed it, whose `record_ids` name "
        "it), one operation, one outcome, or a time window (`occurred_from` inclusive, `occurred_to` exclusive)."
    )
    return router
