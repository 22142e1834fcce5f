"""What an operator watches of the hand-off: how many referrals wait in the outbox, and for how long."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.referrals.vocabulary import DeliveryState, OutboxState
from shared.metrics import GaugeReading


async def outbox_readings(session: AsyncSession, now: datetime) -> list[GaugeReading]:
    counts = dict(
        (await session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))).all()
    )
    oldest_pending = (
        await session.execute(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == OutboxState.pending))
    ).scalar_one()
    open_referrals = (
        await session.execute(
            select(func.count())
            .select_from(PoliceReferral)
            .where(PoliceReferral.delivery_state == DeliveryState.delivered, PoliceReferral.police_case_closed.is_(False))
        )
    ).scalar_one()
    readings = [
        GaugeReading(
            "school_outbox_messages",
            "Referral messages in the outbox, by state (pending: not yet accepted by the police; dead: needs a person).",
            counts.get(state, 0),
            (("state", state.value),),
        )
        for state in OutboxState
    ]
    readings.append(
        GaugeReading(
            "school_outbox_oldest_pending_age_seconds",
            "Age of the oldest referral not yet accepted by the police (0 when none waits).",
            (now - oldest_pending).total_seconds() if oldest_pending is not None else 0.0,
        )
    )
    readings.append(
        GaugeReading(
            "school_referrals_open_at_police",
            "Referrals delivered to the police whose police case is not yet finalised.",
            open_referrals,
        )
    )
    return readings
