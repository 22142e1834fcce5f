"""The relay: carries queued referrals to the police and brings their status back.

- Claims due outbox messages under a lease, so several relays can run at once: `FOR UPDATE SKIP
  LOCKED` on PostgreSQL; on SQLite (where SQLAlchemy silently drops SKIP LOCKED) a conditional
  UPDATE that only takes unleased rows, inside SQLite's single-writer transaction.
- Sends each with its fixed Idempotency-Key outside any transaction, then records the result.
  A relay that dies mid-send leaves its lease to expire; another relay sends the same key again
  and the police answer with the report they already stored.
- Follows each school's status feed at the police beside delivery (feed_follower.py), so a status
  change reaches the school as it commits and an idle referral costs nothing (docs/handoff.md).
  `refresh_statuses` asks after every open referral once: an operator's reconciliation
  (`school-api refresh-statuses`), never a loop.
- Wakes at once when a referral is committed; otherwise sleeps until the next retry or lease expiry
  falls due, at most `relay_idle_poll_seconds`.
- Stops gracefully: `stop()` lets the pass in flight finish and record its answers (bounded by the
  police client's timeouts), so a shutdown neither cuts a police request in half nor leaves a lease
  to expire before the report can be sent again.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any, NamedTuple

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# The whole school metadata: a flush sorts rows by foreign key, so every referenced table must be
# known even in the relay's own process (`school-api relay`), which imports no routes.
import services.school_api.models  # noqa: F401
from services.school_api.database import AuditEntry
from services.school_api.referrals.feed_follower import StatusFeedFollower, store_status
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.referrals.payload import minimised_after_delivery
from services.school_api.referrals.police_client import CredentialsRefused, NoCredentials, PoliceClient
from services.school_api.referrals.retry import (
    RETRY_AFTER_STATUSES,
    Verdict,
    next_attempt_at,
    retry_after_seconds,
    verdict_for_status,
)
from services.school_api.referrals.schemas import PoliceStatus
from services.school_api.referrals.service import RECORD
from services.school_api.referrals.vocabulary import DeliveryState, OutboxState
from services.school_api.settings import SchoolSettings
from shared import tracing
from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.identity import Actor
from shared.tenancy import ALL_TENANTS, set_tenant

log = logging.getLogger("relay")

# Only these fields of a police problem are kept for the DSL; police problems carry no personal data.
_PROBLEM_FIELDS = ("type", "title", "status", "detail", "violations", "errors")


def _relay_actor(school_urn: str) -> Actor:
    """Who the relay is in the audit trail. No person or token stands behind it, and no token can claim the
    role (it is no SchoolRole); its rows go into the chain of the school whose referral it carries."""
    return Actor(subject="referral-relay", role="system", tenant=school_urn)


class OpenReferral(NamedTuple):
    """A delivered referral the police have not finalised, as the status round asks about it."""

    id: uuid.UUID
    school_urn: str
    police_report_id: uuid.UUID


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        police: PoliceClient,
        settings: SchoolSettings,
        clock: Clock,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.police = police
        self.settings = settings
        self.clock = clock
        self.relay_id = uuid.uuid4().hex[:12]
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.follower = StatusFeedFollower(sessionmaker, police, settings, clock, self._audit, self._stopping)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the pass in flight, then return from `run_forever`."""
        self._stopping.set()
        self._wake.set()

    def _session(self) -> AsyncSession:
        session = self.sessionmaker()
        set_tenant(session, ALL_TENANTS)
        return session

    async def run_forever(self) -> None:
        """Deliver and follow the status feeds side by side, so that a held long poll never holds up a report."""
        log.info("relay started", extra={"fields": {"relay_id": self.relay_id}})
        async with asyncio.TaskGroup() as group:
            group.create_task(self._deliver_forever())
            group.create_task(self.follower.run_forever())
        log.info("relay stopped", extra={"fields": {"relay_id": self.relay_id}})

    async def _deliver_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                attempted = await self.deliver_due()
            except Exception:  # a database blip must not stop the relay; the next pass retries
                log.exception("relay pass failed")
                attempted = 0
            if attempted:
                continue
            # The timeout first: the wake-up coroutine must not exist unawaited if the query is cancelled.
            idle = await self._idle_seconds()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            except TimeoutError:
                pass

    async def _idle_seconds(self) -> float:
        """Sleep until the next retry or lease expiry falls due, or the idle poll, whichever is first."""
        idle = self.settings.relay_idle_poll_seconds
        pending = OutboxMessage.state == OutboxState.pending
        try:
            async with self._session() as session:
                next_retry = await session.scalar(
                    select(func.min(OutboxMessage.available_at)).where(pending, OutboxMessage.lease_expires_at.is_(None))
                )
                next_lease_expiry = await session.scalar(select(func.min(OutboxMessage.lease_expires_at)).where(pending))
        except Exception:  # the database is away: the idle poll tries again
            return idle
        moments = [moment for moment in (next_retry, next_lease_expiry) if moment is not None]
        if not moments:
            return idle
        return max(0.05, min(idle, (min(moments) - self.clock.now()).total_seconds()))

    async def deliver_due(self) -> int:
        """Claim and send one batch; returns how many messages were attempted."""
        claimed = await self.claim_due()
        if not claimed:
            return 0
        results = await asyncio.gather(
            *(self._deliver(message_id, lease) for message_id, lease in claimed), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                # Its lease expires and another pass sends the same key again.
                log.error("delivery pass failed", exc_info=result)
        return len(claimed)

    async def claim_due(self) -> list[tuple[uuid.UUID, str]]:
        now = self.clock.now()
        lease_token = f"{self.relay_id}:{uuid.uuid4().hex[:12]}"
        lease_until = now + timedelta(seconds=self.settings.relay_lease_seconds)
        due = and_(
            OutboxMessage.state == OutboxState.pending,
            OutboxMessage.available_at <= now,
            or_(OutboxMessage.lease_expires_at.is_(None), OutboxMessage.lease_expires_at < now),
        )
        async with self._session() as session:
            if session.bind.dialect.name == "postgresql":
                ids = list(
                    (
                        await session.scalars(
                            select(OutboxMessage.id)
                            .where(due)
                            .order_by(OutboxMessage.available_at)
                            .limit(self.settings.relay_batch_size)
                            .with_for_update(skip_locked=True)
                        )
                    ).all()
                )
                if ids:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(ids))
                        .values(lease_owner=lease_token, lease_expires_at=lease_until)
                    )
            else:
                # BEGIN IMMEDIATE holds SQLite's write lock for this statement's transaction, and
                # the WHERE re-checks the lease, so two relays can never take the same row.
                candidates = (
                    select(OutboxMessage.id)
                    .where(due)
                    .order_by(OutboxMessage.available_at)
                    .limit(self.settings.relay_batch_size)
                    .scalar_subquery()
                )
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(candidates), due)
                    .values(lease_owner=lease_token, lease_expires_at=lease_until)
                    .execution_options(synchronize_session=False)
                )
                ids = list(
                    (await session.scalars(select(OutboxMessage.id).where(OutboxMessage.lease_owner == lease_token))).all()
                )
            await session.commit()
        return [(message_id, lease_token) for message_id in ids]

    async def _deliver(self, message_id: uuid.UUID, lease_token: str) -> None:
        async with self._session() as session:
            message = await session.get(OutboxMessage, message_id)
            if message is None or message.lease_owner != lease_token:
                return
            # The report carries children's names, dates of birth and the narrative: its reading and sending
            # is audited before it leaves, so that it never leaves unaudited (a relay may die mid-send).
            await self._audit(session, message.school_urn, "police_referral.send", message.referral_id)
            await session.commit()
        with tracing.span(
            "police_referral.send", kind=SpanKind.CLIENT, parent=tracing.context_from(message.traceparent),
            referral_id=str(message.referral_id), attempt=message.attempts + 1,
        ):
            await self._send(message, message_id, lease_token)

    async def _send(self, message: OutboxMessage, message_id: uuid.UUID, lease_token: str) -> None:
        retry_after: float | None = None
        try:
            response = await self.police.submit_report(
                message.school_urn, message.idempotency_key, message.payload, headers=tracing.outgoing_headers()
            )
        except (NoCredentials, CredentialsRefused) as exc:
            # A configuration fault an administrator can fix: keep the report queued (capped backoff)
            # and show the DSL why, rather than drop a child's report for a missing secret.
            await self._record(message_id, lease_token, Verdict.retry, error=_credentials_error(exc))
            return
        except httpx.HTTPError as exc:
            # Connect/read timeouts and refused connections: the police may be down or restarting.
            await self._record(message_id, lease_token, Verdict.retry, error={"kind": "network", "detail": type(exc).__name__})
            return
        trace.get_current_span().set_attribute("http.response.status_code", response.status_code)
        verdict = verdict_for_status(response.status_code)
        if response.status_code == 401:
            self.police.forget_token(message.school_urn)
        if verdict is Verdict.delivered:
            receipt = _receipt_from(response)
            if receipt is None:
                # A success we cannot read is not a delivery we can show the DSL: ask again (same key).
                bad = {"kind": "bad_response", "status": response.status_code, "detail": "The police answer could not be read."}
                await self._record(message_id, lease_token, Verdict.retry, error=bad)
            else:
                await self._record(message_id, lease_token, verdict, report=receipt)
            return
        if response.status_code in RETRY_AFTER_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
        await self._record(message_id, lease_token, verdict, error=_problem_from(response), retry_after=retry_after)

    async def _record(
        self,
        message_id: uuid.UUID,
        lease_token: str,
        verdict: Verdict,
        *,
        report: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        now = self.clock.now()
        async with self._session() as session:
            message = await session.get(OutboxMessage, message_id)
            if message is None or message.state is not OutboxState.pending:
                return  # another relay finished it after our lease expired; its record stands
            if verdict is not Verdict.delivered and message.lease_owner != lease_token:
                # Our lease expired and another relay holds the message now: its outcome decides.
                # (A delivered answer is recorded whoever holds the lease: it is the police's truth.)
                return
            referral = await session.get(PoliceReferral, message.referral_id)
            if referral is None:  # the foreign key makes this impossible; never record half a result
                return
            message.attempts += 1
            referral.attempts = message.attempts
            referral.updated_at = now
            message.lease_owner = None
            message.lease_expires_at = None
            if verdict is Verdict.delivered and report is not None:
                message.state = OutboxState.done
                message.completed_at = now
                message.last_error = None
                message.payload = minimised_after_delivery(message.payload, report["police_reference"], now)
                referral.delivery_state = DeliveryState.delivered
                referral.police_report_id = uuid.UUID(report["id"])
                referral.police_reference = report["police_reference"]
                referral.delivered_at = now
                referral.last_error = None
                operation, outcome = "police_referral.deliver", ("referral delivered", logging.INFO)
            elif verdict is Verdict.give_up:
                message.state = OutboxState.dead
                message.last_error = error
                referral.delivery_state = DeliveryState.failed
                referral.last_error = error
                operation, outcome = "police_referral.fail", ("referral failed", logging.WARNING)
            else:
                message.available_at = next_attempt_at(
                    now,
                    message.attempts,
                    base=self.settings.relay_backoff_base_seconds,
                    cap=self.settings.relay_backoff_cap_seconds,
                    retry_after=retry_after,
                )
                message.last_error = error
                referral.last_error = error
                operation, outcome = "police_referral.retry", ("referral delivery will be retried", logging.INFO)
            fields = {"referral_id": str(referral.id), "attempts": message.attempts, "status": (error or {}).get("status")}
            await self._audit(session, referral.school_urn, operation, referral.id)
            await session.commit()
        log.log(outcome[1], outcome[0], extra={"fields": fields})
        if verdict is Verdict.delivered and report is not None:
            self.follower.referral_delivered()
            await self._catch_up(OpenReferral(referral.id, referral.school_urn, referral.police_report_id))

    async def refresh_statuses(self) -> int:
        """Ask the police for the status of every delivered referral that is not finalised, once: a
        reconciliation after the police database was restored, say. The feed carries changes otherwise."""
        async with self._session() as session:
            # Only what asking needs: each referral itself is opened when an answer is stored (and audited then).
            open_referrals = [
                OpenReferral(*row)
                for row in await session.execute(
                    select(PoliceReferral.id, PoliceReferral.school_urn, PoliceReferral.police_report_id).where(
                        PoliceReferral.delivery_state == DeliveryState.delivered,
                        PoliceReferral.police_case_closed.is_(False),
                    )
                )
            ]
        refreshed = 0
        size = self.settings.relay_batch_size
        for start in range(0, len(open_referrals), size):
            if self._stopping.is_set():
                break  # shutting down: the rest are asked by the next relay to run
            batch = open_referrals[start : start + size]
            # A task group, not gather: cancelled, it waits for every call in flight to unwind, so no
            # police request outlives the relay (gather returns at the first cancelled call).
            async with asyncio.TaskGroup() as group:
                calls = [group.create_task(self._status_of(referral)) for referral in batch]
            answers = [call.result() for call in calls]
            if any(answer is _UNREACHABLE for answer in answers):
                break  # the police are away: the next interval asks again, delivery is not held up
            for referral, status in zip(batch, answers, strict=True):
                if not isinstance(status, dict):
                    continue
                await self._store_status(referral, status)
                refreshed += 1
        return refreshed

    async def _store_status(self, referral: OpenReferral, status: dict[str, Any]) -> None:
        async with self._session() as session:
            stored = await session.get(PoliceReferral, referral.id)
            if stored is not None and store_status(stored, status, self.clock.now()):
                await self._audit(session, stored.school_urn, "police_referral.status_refresh", stored.id)
                await session.commit()

    async def _catch_up(self, referral: OpenReferral) -> None:
        """Ask once for the status of a referral just recorded as delivered: the police marked it in the
        school's feed when they stored it, and a follower that read that mark before this service knew
        the report passed over it. Whatever changes from now on, the follower applies."""
        status = await self._status_of(referral)
        if isinstance(status, dict):
            await self._store_status(referral, status)

    async def _audit(self, session: AsyncSession, school_urn: str, operation: str, referral_id: uuid.UUID) -> None:
        """Append the relay's row to the school's chain in `session`'s transaction: it stands or falls with what it records."""
        trail = AuditTrail(request_id=None, actor=_relay_actor(school_urn))
        trail.record(operation, RECORD, referral_id)
        await append_events(session, AuditEntry, trail, self.clock)

    async def _status_of(self, referral: OpenReferral) -> dict[str, Any] | object | None:
        """The police status document, None when refused, `_UNREACHABLE` when the police cannot be reached."""
        try:
            response = await self.police.report_status(referral.school_urn, str(referral.police_report_id))
        except httpx.HTTPError:
            return _UNREACHABLE
        except (NoCredentials, CredentialsRefused):
            return None
        if response.status_code == 401:
            self.police.forget_token(referral.school_urn)
        if response.status_code != 200:
            return None
        try:
            # Checked against the shape the DSL's screen reads, so a changed police document cannot break it.
            return PoliceStatus.model_validate_json(response.content).model_dump(mode="json")
        except ValidationError:
            return None


_UNREACHABLE = object()


async def stop_relay(relay: Relay, running: asyncio.Task[None]) -> None:
    """Stop gracefully, within one lease: a pass still running after its lease is overtaken anyway
    (another relay may send the same key), so it is cancelled then."""
    relay.stop()
    try:
        await asyncio.wait_for(running, timeout=relay.settings.relay_lease_seconds)
    except TimeoutError:
        log.warning("relay cancelled at shutdown", extra={"fields": {"relay_id": relay.relay_id}})


def _receipt_from(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
        return {"id": str(uuid.UUID(body["id"])), "police_reference": str(body["police_reference"])}
    except (ValueError, KeyError, TypeError):
        return None


def _problem_from(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    problem = {key: body[key] for key in _PROBLEM_FIELDS if isinstance(body, dict) and key in body}
    problem.setdefault("status", response.status_code)
    problem["kind"] = "http"
    return problem


def _credentials_error(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, NoCredentials):
        return {"kind": "configuration", "detail": "No police client credentials are configured for this school."}
    return {"kind": "configuration", "detail": "The police refused this school's client credentials."}
