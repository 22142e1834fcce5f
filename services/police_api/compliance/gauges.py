"""What an operator watches of NCRS (P-CRIME): reports whose 24-hour crime decision is near or past due."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.crimes.models import Crime
from services.police_api.incidents.models import PoliceIncident
from shared.metrics import GaugeReading

# "Near" the deadline: a quarter of the NCRS window, time enough for a supervisor to act on an alert.
NEAR_DEADLINE = timedelta(hours=6)


async def ncrs_clock_readings(session: AsyncSession, now: datetime) -> list[GaugeReading]:
    near = now + NEAR_DEADLINE
    window = case(
        (PoliceIncident.crime_deadline_at < literal(now, PoliceIncident.crime_deadline_at.type), "overdue"),
        (PoliceIncident.crime_deadline_at < literal(near, PoliceIncident.crime_deadline_at.type), "due_within_6h"),
        else_="due_later",
    )
    rows = (
        await session.execute(
            select(window, func.count())
            .where(
                PoliceIncident.crime_deadline_at.is_not(None),
                PoliceIncident.no_crime_reason.is_(None),
                ~exists().where(Crime.incident_id == PoliceIncident.id),
            )
            .group_by(window)
        )
    ).all()
    counts = dict(rows)
    return [
        GaugeReading(
            "police_ncrs_undecided_reports",
            "Reports with no crime decision yet, by where their 24-hour NCRS clock stands.",
            counts.get(clock, 0),
            (("clock", clock),),
        )
        for clock in ("overdue", "due_within_6h", "due_later")
    ]
