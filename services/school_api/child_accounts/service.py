"""Recording a child's own account and wishes (S-CHILD-VOICE); it writes its own action-log entry."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.child_accounts.models import ChildAccount
from services.school_api.child_accounts.schemas import ChildAccountCreate
from services.school_api.incidents import service as incidents
from services.school_api.people import service as people
from services.school_api.people.vocabulary import PersonKind
from services.school_api.rules.steps import s_child_voice
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused

RECORD = "child_account"


async def record_child_account(ctx: Context, incident_id: uuid.UUID, data: ChildAccountCreate) -> ChildAccount:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.child_account.append")
    child = await people.get_person(ctx, incident.id, data.person_id)
    violations = s_child_voice(PersonKind(child.kind), data.account, data.wishes)
    if violations:
        raise RuleRefused("The child's account cannot be recorded as sent.", violations=violations)
    row = ChildAccount(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        person_id=child.id,
        given_at=data.given_at,
        given=data.given,
        account=data.account,
        wishes=data.wishes,
        heard_by=data.heard_by,
        recorded_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(row)
    actions.append(
        ctx, incident, ActionKind.child_account_heard, taken=True, justification=None,
        performed_by=data.heard_by, occurred_at=data.given_at,
    )
    await ctx.session.flush()
    ctx.audit.record("child_account.create", RECORD, row.id)
    return row


async def list_child_accounts(ctx: Context, incident_id: uuid.UUID) -> list[ChildAccount]:
    query = select(ChildAccount).where(ChildAccount.incident_id == incident_id).order_by(ChildAccount.given_at, ChildAccount.id)
    rows = list((await ctx.session.scalars(query)).all())
    for row in rows:
        ctx.audit.record("child_account.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(ChildAccount.recorded_at, ChildAccount.id, newest_first=False)


async def page_child_accounts(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[ChildAccount], str | None]:
    query = select(ChildAccount).where(ChildAccount.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("child_account.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
