"""Following each school's status feed at the police, instead of asking after every open referral.

The police mark a report in its school's feed on every write that changes what the school may know
(services/police_api/feed/). For each school with a referral still open at the police, one long poll
(`GET /status-changes?after=<position>&wait=…`) is held: it answers as soon as a change commits, with
the changed reports and their status. The page is applied in one transaction with the new position, so:
- a follower killed between the answer and the commit re-reads the same page from the old position
  (applying a status twice stores the same values), and no change is ever skipped;
- an idle referral costs no write and no audit row; an idle school costs one held request per
  `feed_wait_seconds`, and a school with nothing open costs nothing at all.
Several followers may follow the same school (every API process runs one): each applies what it reads,
and the stored position only moves forward.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.school_api.referrals.models import PoliceFeedPosition, PoliceReferral
from services.school_api.referrals.police_client import CredentialsRefused, NoCredentials, PoliceClient
from services.school_api.referrals.schemas import PoliceStatusPage
from services.school_api.referrals.vocabulary import DeliveryState
from services.school_api.settings import SchoolSettings
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS, set_tenant

log = logging.getLogger("relay")

# After the police could not be reached or refused the call: wait this long before asking again.
RETRY_SECONDS = 2.0
# How often the set of schools with open referrals is looked at again, when no delivery wakes it sooner.
DISCOVERY_SECONDS = 30.0

AuditHook = Callable[[AsyncSession, str, str, uuid.UUID], Any]


class StatusFeedFollower:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        police: PoliceClient,
        settings: SchoolSettings,
        clock: Clock,
        audit: AuditHook,
        stopping: asyncio.Event,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.police = police
        self.settings = settings
        self.clock = clock
        self.audit = audit
        self.stopping = stopping
        self._schools_changed = asyncio.Event()

    def referral_delivered(self) -> None:
        """A school may have its first open referral: look for it now rather than at the next discovery."""
        self._schools_changed.set()

    def _session(self) -> AsyncSession:
        session = self.sessionmaker()
        set_tenant(session, ALL_TENANTS)
        return session

    async def run_forever(self) -> None:
        following: dict[str, asyncio.Task[None]] = {}
        try:
            while not self.stopping.is_set():
                self._schools_changed.clear()
                try:
                    schools = await self.schools_with_open_referrals()
                except Exception:
                    log.exception("could not list schools with open referrals")
                    schools = set()
                for urn in schools - following.keys():
                    following[urn] = asyncio.create_task(self._follow(urn))
                for urn in [urn for urn, task in following.items() if task.done()]:
                    del following[urn]
                await _first_of(self.stopping.wait(), self._schools_changed.wait(), timeout=DISCOVERY_SECONDS)
        finally:
            for task in following.values():
                task.cancel()
            await asyncio.gather(*following.values(), return_exceptions=True)

    async def schools_with_open_referrals(self) -> set[str]:
        async with self._session() as session:
            return set(
                (
                    await session.scalars(
                        select(PoliceReferral.school_urn).distinct().where(
                            PoliceReferral.delivery_state == DeliveryState.delivered,
                            PoliceReferral.police_case_closed.is_(False),
                        )
                    )
                ).all()
            )

    async def _follow(self, urn: str) -> None:
        """Follow one school's feed until it has nothing open at the police, or the relay stops."""
        while not self.stopping.is_set():
            try:
                applied = await self.follow_once(urn, wait_seconds=self.settings.feed_wait_seconds)
            except Exception:
                log.exception("status feed pass failed")
                applied = None
            if applied is None:
                await _first_of(self.stopping.wait(), timeout=RETRY_SECONDS)
            elif applied == 0 and urn not in await self.schools_with_open_referrals():
                return

    async def follow_once(self, urn: str, *, wait_seconds: float) -> int | None:
        """Read one page of the school's feed and apply it; the number of referrals updated, None when the
        police could not be asked (unreachable, or the school's credentials refused)."""
        after = await self._position(urn)
        asking = asyncio.create_task(self._ask(urn, after, wait_seconds))
        await _first_of(asking, self.stopping.wait(), timeout=None)
        if not asking.done():
            asking.cancel()  # stopping: nothing was applied, the position is where it was
            await asyncio.gather(asking, return_exceptions=True)
            return None
        page = asking.result()
        if page is None:
            return None
        return await self._apply(urn, after, page)

    async def _ask(self, urn: str, after: int, wait_seconds: float) -> PoliceStatusPage | None:
        try:
            response = await self.police.status_changes(urn, after=after, wait_seconds=wait_seconds)
        except (httpx.HTTPError, NoCredentials, CredentialsRefused):
            return None
        if response.status_code == 401:
            self.police.forget_token(urn)
        if response.status_code != 200:
            return None
        try:
            return PoliceStatusPage.model_validate_json(response.content)
        except ValidationError:
            log.warning("the police status feed answered a page this service cannot read")
            return None

    async def _apply(self, urn: str, after: int, page: PoliceStatusPage) -> int:
        if not page.items:
            return 0
        # Every item's position counts, applied or passed over: the last is where this school's feed stands.
        position = max(item.position for item in page.items)
        now = self.clock.now()
        updated = 0
        # Each item carries its report's current status, so a report named twice is stored once.
        latest = {item.report_id: item for item in page.items}
        async with self._session() as session:
            for item in latest.values():
                referral = await session.scalar(
                    select(PoliceReferral).where(PoliceReferral.school_urn == urn, PoliceReferral.police_report_id == item.report_id)
                )
                # None: the police stored the report and marked it before the relay recorded the delivery.
                # The relay asks for that referral's status once it has recorded it (Relay._catch_up), so
                # nothing marked before then is lost by passing over it here.
                if referral is None or not store_status(referral, item.status.model_dump(mode="json"), now):
                    continue
                await self.audit(session, urn, "police_referral.status_push", referral.id)
                updated += 1
            await _advance(session, urn, position, now)
            await session.commit()
        return updated

    async def _position(self, urn: str) -> int:
        async with self._session() as session:
            stored = await session.scalar(select(PoliceFeedPosition.position).where(PoliceFeedPosition.school_urn == urn))
        return stored or 0


def store_status(referral: PoliceReferral, status: dict[str, Any], now: datetime) -> bool:
    """Store the police status on the referral unless it is older than the one stored (answers from the
    feed and from a one-off status call can arrive in either order); True when stored."""
    stored = referral.police_status
    if stored is not None and str(stored.get("updated_at", "")) > str(status.get("updated_at", "")):
        return False
    referral.police_status = status
    referral.police_status_checked_at = now
    referral.police_case_closed = bool(status.get("finalised"))
    referral.updated_at = now
    return True


async def _advance(session: AsyncSession, urn: str, position: int, now: datetime) -> None:
    """Move the school's position forward, never back (another follower may have gone further)."""
    moved = await session.execute(
        update(PoliceFeedPosition)
        .where(PoliceFeedPosition.school_urn == urn, PoliceFeedPosition.position < position)
        .values(position=position, updated_at=now)
    )
    if moved.rowcount == 0:
        exists = await session.scalar(select(PoliceFeedPosition.id).where(PoliceFeedPosition.school_urn == urn))
        if exists is None:
            session.add(PoliceFeedPosition(school_urn=urn, position=position, updated_at=now))


async def _first_of(*waits: Any, timeout: float | None) -> None:
    """Wait until the first of `waits` (coroutines or tasks) completes, or `timeout`; cancel the coroutines' tasks."""
    tasks = [wait if isinstance(wait, asyncio.Task) else asyncio.ensure_future(wait) for wait in waits]
    created = [task for task, wait in zip(tasks, waits, strict=True) if task is not wait]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in created:
            task.cancel()
        await asyncio.gather(*created, return_exceptions=True)
