"""PPU notifications (P-PPU): one for every child, acknowledged by the PPU, with updates."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.persons.index_keys import upn_key
from services.police_api.persons.models import Person
from services.police_api.persons.vocabulary import PersonAge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.rules.ppu import must_notify_ppu
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import Conflict, NotFound

RECORD = "ppu_notification"
UPDATE = "ppu_update"


async def notify_if_child(ctx: Context, incident: PoliceIncident, person_id: uuid.UUID, age: PersonAge) -> PPUNotification | None:
    """P-PPU: the PPU must be notified of ALL children and young people involved, once per incident."""
    if not must_notify_ppu(age):
        return None
    existing = await ctx.session.scalar(
        select(PPUNotification).where(PPUNotification.incident_id == incident.id, PPUNotification.person_id == person_id)
    )
    if existing is not None:
        return existing
    notification = _new_notification(ctx, incident, person_id)
    ctx.session.add(notification)
    ctx.audit.record("ppu_notification.create", RECORD, notification.id)
    return notification


def notification_of_new_incident(ctx: Context, incident: PoliceIncident, person_id: uuid.UUID, age: PersonAge) -> PPUNotification | None:
    """P-PPU for an incident this request opens (intake): a child's notification, for the caller to write with
    the incident and audit; there is no earlier one to look for."""
    return _new_notification(ctx, incident, person_id) if must_notify_ppu(age) else None


def _new_notification(ctx: Context, incident: PoliceIncident, person_id: uuid.UUID) -> PPUNotification:
    return PPUNotification(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        person_id=person_id,
        created_at=ctx.now,
        acknowledged_at=None,
        acknowledged_by=None,
        updated_at=ctx.now,
        version=1,
    )


async def for_incident(ctx: Context, incident_id: uuid.UUID) -> list[PPUNotification]:
    rows = list(
        (
            await ctx.session.scalars(
                select(PPUNotification).where(PPUNotification.incident_id == incident_id).order_by(PPUNotification.created_at)
            )
        ).all()
    )
    for row in rows:
        ctx.audit.record("ppu_notification.read", RECORD, row.id)
    return rows


@dataclass(frozen=True)
class NotificationFilter:
    """How the PPU narrows its queue: not yet acknowledged, one incident's reference, one pupil, a window."""

    unacknowledged_only: bool = False
    police_reference: str | None = None
    upn: str | None = None
    notified_from: datetime | None = None
    notified_to: datetime | None = None


NEWEST_FIRST = Keyset(PPUNotification.created_at, PPUNotification.id)
OLDEST_FIRST = Keyset(PPUNotification.created_at, PPUNotification.id, newest_first=False)


async def list_notifications(
    ctx: Context, where: NotificationFilter, *, cursor: str | None, limit: int
) -> tuple[list[PPUNotification], str | None]:
    query = select(PPUNotification)
    if where.unacknowledged_only:
        query = query.where(PPUNotification.acknowledged_at.is_(None))
    if where.police_reference is not None:
        query = query.join(PoliceIncident, PoliceIncident.id == PPUNotification.incident_id).where(
            PoliceIncident.reference == where.police_reference
        )
    if where.upn is not None:
        # The UPN is encrypted at rest: the person index finds it by its keyed hash.
        query = query.join(Person, Person.id == PPUNotification.person_id).where(Person.upn_key == upn_key(where.upn.upper()))
    if where.notified_from is not None:
        query = query.where(PPUNotification.created_at >= where.notified_from)
    if where.notified_to is not None:
        query = query.where(PPUNotification.created_at < where.notified_to)
    rows, next_cursor = await fetch_page(ctx.session, query, NEWEST_FIRST, cursor, limit)
    ctx.audit.list_page("ppu_notification.list", RECORD, shown_as(RECORD, rows))
    return rows, next_cursor


async def page_for_incident(
    ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[PPUNotification], list[PPUUpdate], str | None]:
    """A page of the incident's notifications with the updates of each, in one query for the page; the page's
    one audit row names each notification followed by its updates."""
    query = select(PPUNotification).where(PPUNotification.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, OLDEST_FIRST, cursor, limit)
    updates: list[PPUUpdate] = []
    if rows:
        updates = list((await ctx.session.scalars(
            select(PPUUpdate).where(PPUUpdate.notification_id.in_([row.id for row in rows])).order_by(PPUUpdate.created_at, PPUUpdate.id)
        )).all())
    shown = [
        record
        for notification in rows
        for record in [(RECORD, notification.id), *((UPDATE, update.id) for update in updates if update.notification_id == notification.id)]
    ]
    ctx.audit.list_page("ppu_notification.list", RECORD, shown, within=(incidents.RECORD, incident_id))
    return rows, updates, next_cursor


async def get_notification(ctx: Context, notification_id: uuid.UUID) -> PPUNotification:
    notification = await ctx.session.scalar(select(PPUNotification).where(PPUNotification.id == notification_id))
    if notification is None:
        raise NotFound("No such PPU notification in your force.")
    ctx.audit.record("ppu_notification.read", RECORD, notification.id)
    return notification


async def updates_of(ctx: Context, notification_id: uuid.UUID) -> list[PPUUpdate]:
    rows = list(
        (
            await ctx.session.scalars(
                select(PPUUpdate).where(PPUUpdate.notification_id == notification_id).order_by(PPUUpdate.created_at)
            )
        ).all()
    )
    for row in rows:
        ctx.audit.record("ppu_update.read", UPDATE, row.id)
    return rows


async def acknowledge(ctx: Context, notification_id: uuid.UUID, expected_version: int) -> PPUNotification:
    notification = await get_notification(ctx, notification_id)
    check_version(notification.version, expected_version)
    if notification.acknowledged_at is not None:
        raise Conflict("This notification is already acknowledged.")
    notification.acknowledged_at = ctx.now
    notification.acknowledged_by = ctx.actor.audit_label
    notification.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("ppu_notification.acknowledge", RECORD, notification.id)
    return notification


async def add_update(ctx: Context, notification_id: uuid.UUID, *, source: str, text: str) -> PPUUpdate:
    notification = await get_notification(ctx, notification_id)
    update = PPUUpdate(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        notification_id=notification.id,
        source=source,
        text=text,
        author=ctx.actor.audit_label,
        created_at=ctx.now,
    )
    ctx.session.add(update)
    notification.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("ppu_update.create", UPDATE, update.id)
    return update
