"""The action log (S-RECORD). Searches and image viewings have their own records and rules (S-SEARCH,
S-IMAGE), which write their action entries themselves; the log refuses them as plain entries."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from services.school_api.actions.models import ActionEntry
from services.school_api.actions.schemas import ActionCreate
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.rules.record import s_record
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused, RuleViolation

RECORD = "action"
_OWN_RECORD = {
    ActionKind.image_viewed: RuleViolation("S-IMAGE", "An image viewing is recorded at /image-viewings, with the headteacher's agreement."),
    ActionKind.device_searched: RuleViolation("S-SEARCH", "A device search is recorded at /searches, where its conditions are checked."),
}


def append(
    ctx: Context,
    incident: Incident,
    kind: ActionKind,
    *,
    taken: bool,
    justification: str | None,
    performed_by: str,
    occurred_at: datetime,
) -> ActionEntry:
    """Write an entry after S-RECORD; used by the log and by the records that imply an action."""
    violations = s_record(kind, taken, justification)
    if violations:
        raise RuleRefused("The action cannot be recorded as sent.", violations=violations)
    entry = ActionEntry(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        kind=kind,
        taken=taken,
        justification=justification,
        performed_by=performed_by,
        occurred_at=occurred_at,
        recorded_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.audit.record("action.create", RECORD, entry.id)
    return entry


async def record_action(ctx: Context, incident_id: uuid.UUID, data: ActionCreate) -> ActionEntry:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.action.append")
    if data.taken and data.kind in _OWN_RECORD:
        raise RuleRefused("This action has its own record.", violations=[_OWN_RECORD[data.kind]])
    entry = append(
        ctx,
        incident,
        data.kind,
        taken=data.taken,
        justification=data.justification,
        performed_by=data.performed_by,
        occurred_at=data.occurred_at,
    )
    await ctx.session.flush()
    return entry


async def list_actions(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[ActionEntry]:
    query = select(ActionEntry).where(ActionEntry.incident_id == incident_id).order_by(ActionEntry.recorded_at, ActionEntry.id)
    rows = list((await ctx.session.scalars(query)).all())
    if audit:
        for row in rows:
            ctx.audit.record("action.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(ActionEntry.recorded_at, ActionEntry.id, newest_first=False)


async def page_actions(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[ActionEntry], str | None]:
    query = select(ActionEntry).where(ActionEntry.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    for row in rows:
        ctx.audit.record("action.read", RECORD, row.id)
    return rows, next_cursor
