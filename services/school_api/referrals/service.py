"""Queueing a police referral (the outbox write) and reading referrals back for the DSL."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.referrals.vocabulary import DeliveryState, OutboxState, PoliceChannel
from services.school_api.referrals.wakeup import announce_queued
from shared import tracing
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.db import on_commit
from shared.problems import NotFound

RECORD = "police_referral"
REFERRAL_QUEUED = "referral_queued"


async def queue_police_referral(ctx: Context, incident: Incident, channel: PoliceChannel, payload: dict[str, Any]) -> PoliceReferral:
    """Write the referral and its outbox message in the caller's transaction; nothing is sent here."""
    referral = PoliceReferral(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        channel=channel,
        delivery_state=DeliveryState.queued,
        attempts=0,
        created_by=ctx.actor.subject,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(referral)
    await ctx.session.flush()
    with tracing.span("police_referral.queue", referral_id=str(referral.id)):
        traceparent = tracing.current_traceparent()
    ctx.session.add(
        OutboxMessage(
            id=uuid.uuid4(),
            referral_id=referral.id,
            school_urn=incident.school_urn,
            idempotency_key=uuid.uuid4().hex,
            payload=payload,
            traceparent=traceparent,
            state=OutboxState.pending,
            attempts=0,
            available_at=ctx.now,
            created_at=ctx.now,
        )
    )
    wake_relay = ctx.signals.get(REFERRAL_QUEUED)
    if wake_relay is not None:
        on_commit(ctx.session, wake_relay)
    await announce_queued(ctx.session)  # and relays in other processes, at the same commit
    ctx.audit.record("police_referral.create", RECORD, referral.id)
    return referral


async def list_referrals(ctx: Context, incident_id: uuid.UUID) -> list[PoliceReferral]:
    rows = list(
        (
            await ctx.session.scalars(
                select(PoliceReferral).where(PoliceReferral.incident_id == incident_id).order_by(PoliceReferral.created_at)
            )
        ).all()
    )
    for row in rows:
        ctx.audit.record("police_referral.read", RECORD, row.id)
    return rows


async def get_referral(ctx: Context, referral_id: uuid.UUID) -> PoliceReferral:
    referral = await ctx.session.scalar(select(PoliceReferral).where(PoliceReferral.id == referral_id))
    if referral is None:
        raise NotFound("No such referral in your school.")
    ctx.audit.record("police_referral.read", RECORD, referral.id)
    return referral


async def referral_id_of(ctx: Context, incident_id: uuid.UUID) -> uuid.UUID | None:
    """The id of the incident's police referral, as its decision names it: handing the id out is a read of it."""
    referral_id = await ctx.session.scalar(
        select(PoliceReferral.id).where(PoliceReferral.incident_id == incident_id).order_by(PoliceReferral.created_at).limit(1)
    )
    if referral_id is not None:
        ctx.audit.record("police_referral.read", RECORD, referral_id)
    return referral_id


KEYSET = Keyset(PoliceReferral.created_at, PoliceReferral.id, newest_first=False)


async def page_referrals(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[PoliceReferral], str | None]:
    query = select(PoliceReferral).where(PoliceReferral.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("police_referral.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
