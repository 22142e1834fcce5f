"""PostgreSQL NOTIFY/LISTEN for waking another process when a transaction commits.

PostgreSQL delivers a notification only when the transaction that sent it commits, so a rolled-back
write wakes nobody. Every user of it keeps a periodic check as well: a listener that is down (a restart
of the database, a network cut) loses notifications, and the check bounds the delay that causes. SQLite
has no notifications; there a process relies on its own in-process wake-ups and on the check.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger("notify")

RELISTEN_SECONDS = 5.0
NotificationHandler = Callable[[str], None]


async def notify(session: AsyncSession, channel: str, payload: str = "") -> None:
    """Notify `channel`'s listeners in the caller's transaction (sent at its commit, dropped at its rollback)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Driver SQL on the session's connection: no statement to build and compile, and no walk of the
        # tenant guard over a statement that reads no table (every intake and status change sends one).
        connection = await session.connection()
        await connection.exec_driver_sql("SELECT pg_notify($1, $2)", (channel, payload))


async def listen(engine: AsyncEngine, channel: str, on_notification: NotificationHandler, *, on_listening: Callable[[], None]) -> None:
    """Hold one connection that LISTENs to `channel` until cancelled, calling `on_notification(payload)`;
    after the connection is lost, listen again every RELISTEN_SECONDS. `on_listening` runs each time the
    listener (re)starts: whatever was announced while nobody listened is due then."""
    while True:
        reason = "connection closed"
        try:
            await _listen_until_lost(engine, channel, on_notification, on_listening)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            reason = type(error).__name__
        log.warning("listener lost; the periodic check covers until it is back", extra={"fields": {"channel": channel, "reason": reason}})
        await asyncio.sleep(RELISTEN_SECONDS)


async def _listen_until_lost(
    engine: AsyncEngine, channel: str, on_notification: NotificationHandler, on_listening: Callable[[], None]
) -> None:
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        lost = asyncio.Event()

        def handle(_connection: object, _pid: int, _channel: str, payload: str) -> None:
            on_notification(payload)

        driver.add_termination_listener(lambda _connection: lost.set())
        try:
            await driver.add_listener(channel, handle)
            log.info("listening", extra={"fields": {"channel": channel}})
            on_listening()
            await lost.wait()
        finally:
            # The connection goes back to the pool: it must not keep listening there.
            await connection.invalidate()
