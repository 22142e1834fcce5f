"""Waking relays in other processes when a referral is queued: PostgreSQL's NOTIFY, delivered on commit.

The API wakes its own relay with an after-commit hook; a relay run on its own (`school-api relay`) is
told by the database (shared/notify.py). A relay whose listener is down still finds every referral on
its idle poll: a lost notification delays a referral by at most `relay_idle_poll_seconds`, it never
loses one. (PostgreSQL serialises the commits of notifying transactions; only a decision to refer
notifies, a few a year per school, so that costs nothing here.)
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.notify import listen, notify

QUEUED_CHANNEL = "police_referral_queued"


async def announce_queued(session: AsyncSession) -> None:
    """Notify listening relays, in the caller's transaction (sent at its commit, dropped at its rollback)."""
    await notify(session, QUEUED_CHANNEL)


async def listen_for_queued(engine: AsyncEngine, wake: Callable[[], None]) -> None:
    """Wake the relay on every notification until cancelled; a referral queued while nobody listened is due
    when listening starts."""
    await listen(engine, QUEUED_CHANNEL, lambda _payload: wake(), on_listening=wake)
