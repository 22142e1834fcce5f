"""What an operator watches of the safeguarding route (P-PPU): notifications the PPU has not acknowledged."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.ppu.models import PPUNotification
from shared.metrics import GaugeReading


async def unacknowledged_readings(session: AsyncSession, now: datetime) -> list[GaugeReading]:
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(PPUNotification.created_at)).where(PPUNotification.acknowledged_at.is_(None))
        )
    ).one()
    return [
        GaugeReading("police_ppu_notifications_unacknowledged", "PPU notifications of a child not yet acknowledged.", count),
        GaugeReading(
            "police_ppu_oldest_unacknowledged_age_seconds",
            "Age of the oldest unacknowledged PPU notification (0 when none waits).",
            (now - oldest).total_seconds() if oldest is not None else 0.0,
        ),
    ]
