"""The action log (S-RECORD). Searches and image viewings have their own records and rules (S-SEARCH,
S-IMAGE), which write their action entries themselves; the log refuses them as plain entries."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, select

from services.school_api.actions.models import ActionEntry
from services.school_api.actions.schemas import ActionCreate
from services.school_api.actions.vocabulary import ActionKind, RemovalOutcome
from services.school_api.decisions.models import Decision
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.rules.record import s_record
from services.school_api.rules.steps import s_cse, s_delete, s_removal
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused, RuleViolation

RECORD = "action"
_OWN_RECORD = {
    ActionKind.image_viewed: RuleViolation("S-IMAGE", "An image viewing is recorded at /image-viewings, with the headteacher's agreement."),
    ActionKind.device_searched: RuleViolation("S-SEARCH", "A device search is recorded at /searches, where its conditions are checked."),
    ActionKind.initial_review_meeting: RuleViolation(
        "S-INITIAL-REVIEW", "The initial review meeting is recorded at /initial-reviews, with who attended and what was decided."
    ),
    ActionKind.child_account_heard: RuleViolation("S-CHILD-VOICE", "A child's account is recorded at /child-accounts, attributed to the child."),
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
    due_at: datetime | None = None,
    outcome: RemovalOutcome | None = None,
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
        due_at=due_at,
        outcome=outcome,
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
    violations = s_cse(data.kind, data.taken, data.justification) + s_removal(data.kind, data.taken, data.outcome)
    if data.kind in (ActionKind.deletion_requested, ActionKind.deletion_confirmed) or data.due_at is not None:
        violations += s_delete(
            data.kind,
            data.taken,
            data.due_at,
            managed_in_school=await _managed_in_school(ctx, incident),
            requested=await _deletion_requested(ctx, incident),
        )
    if violations:
        raise RuleRefused("The action cannot be recorded as sent.", violations=violations)
    entry = append(
        ctx,
        incident,
        data.kind,
        taken=data.taken,
        justification=data.justification,
        performed_by=data.performed_by,
        occurred_at=data.occurred_at,
        due_at=data.due_at,
        outcome=data.outcome,
    )
    await ctx.session.flush()
    return entry


async def _managed_in_school(ctx: Context, incident: Incident) -> bool:
    """Whether the decision that stands (the latest) is to manage the incident in school."""
    latest = await ctx.session.scalar(
        select(Decision.outcome).where(Decision.incident_id == incident.id).order_by(Decision.decided_at.desc()).limit(1)
    )
    return latest is DecisionOutcome.manage_in_school


async def _deletion_requested(ctx: Context, incident: Incident) -> bool:
    query = exists().where(
        ActionEntry.incident_id == incident.id, ActionEntry.kind == ActionKind.deletion_requested, ActionEntry.taken.is_(True)
    )
    return bool(await ctx.session.scalar(select(query)))


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
    ctx.audit.list_page("action.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
