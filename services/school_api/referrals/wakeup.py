"""Waking relays in other processes when a referral is queued: PostgreSQL's NOTIFY, delivered on commit.

The API wakes its own relay with an after-commit hook; a relay run on its own (`school-api relay`) is
told by the database. PostgreSQL delivers a notification only when the transaction that sent it
commits, so a rolled-back decision wakes nobody. A relay whose listener is down (a restart of the
database, a network cut) still finds every referral on its idle poll: a lost notification delays a
referral by at most `relay_idle_poll_seconds`, it never loses one. SQLite has no notifications; there
a standalone relay relies on its idle poll alone. (PostgreSQL serialises the commits of notifying
transactions; only a decision to refer notifies, a few a year per school, so that costs nothing here.)
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger("relay")

QUEUED_CHANNEL = "police_referral_queued"
RELISTEN_SECONDS = 5.0


async def announce_queued(session: AsyncSession) -> None:
    """Notify listening relays, in the caller's transaction (sent at its commit, dropped at its rollback)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(QUEUED_CHANNEL, "")))


async def listen_for_queued(engine: AsyncEngine, wake: Callable[[], None]) -> None:
    """Hold one connection that LISTENs and wakes the relay on every notification, until cancelled;
    after the connection is lost, listen again every RELISTEN_SECONDS."""
    while True:
        reason = "connection closed"
        try:
            await _listen_until_lost(engine, wake)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            reason = type(error).__name__
        log.warning("relay listener lost; the idle poll covers until it is back", extra={"fields": {"reason": reason}})
        await asyncio.sleep(RELISTEN_SECONDS)


async def _listen_until_lost(engine: AsyncEngine, wake: Callable[[], None]) -> None:
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        lost = asyncio.Event()

        def on_notification(*_: object) -> None:
            wake()

        driver.add_termination_listener(lambda _connection: lost.set())
        try:
            await driver.add_listener(QUEUED_CHANNEL, on_notification)
            log.info("relay listening for queued referrals")
            wake()  # a referral queued while nobody listened is due now
            await lost.wait()
        finally:
            # The connection goes back to the pool: it must not keep listening there.
            await connection.invalidate()
