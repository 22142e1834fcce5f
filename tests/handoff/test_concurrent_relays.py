"""Acceptance 3: several relays at once deliver every referral exactly once.

Both claim paths are proven on their own: PostgreSQL's `FOR UPDATE SKIP LOCKED` (a relay passes
over rows another relay is claiming, without waiting), and SQLite's conditional update under a
lease (SQLAlchemy drops SKIP LOCKED there silently), which runs on its own SQLite database whatever
the suite's backend.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from services.police_api.incidents.models import PoliceIncident
from services.police_api.reports.models import SchoolReport
from services.school_api.app import create_app as create_school_app
from services.school_api.database import SchoolSession
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.referrals.police_client import PoliceClient
from services.school_api.referrals.relay import Relay
from shared.clock import Clock
from shared.db import create_engine
from shared.migrations import upgrade
from shared.tenancy import ALL_TENANTS
from tests.conftest import school_settings
from tests.handoff.conftest import outbox_of
from tests.handoff.support import ScriptedPolice, police_reports_for, refer
from tests.support import BACKEND, Keys, ThrowAwayDatabase, Tokens, bearer

REFERRALS = 200


def _relay(engine: AsyncEngine, http: httpx.AsyncClient, credentials: dict, settings: Any, clock: Clock) -> Relay:
    sessions = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=SchoolSession)
    return Relay(sessions, PoliceClient(http, credentials, clock), settings, clock)


async def _drain(relay: Relay, deadline: float) -> int:
    """Deliver until three passes in a row find nothing due; returns how many messages it attempted."""
    attempted, idle = 0, 0
    while idle < 3:
        assert time.monotonic() < deadline, "relays did not drain in time"
        claimed = await relay.deliver_due()
        attempted += claimed
        idle = idle + 1 if claimed == 0 else 0
        if claimed == 0:
            await asyncio.sleep(0.05)
    return attempted


async def test_two_relays_at_once_deliver_each_of_200_referrals_exactly_once(
    own_school: tuple[Any, httpx.AsyncClient, str], police_app: Any, registered_school: str, school_app: Any,
    tokens: Tokens, wire: ScriptedPolice, clock: Clock,
) -> None:
    app, school, url = own_school
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_ids = [await refer(school, dsl) for _ in range(REFERRALS)]
    keys = {(await outbox_of(app, incident_id)).idempotency_key for incident_id in incident_ids}

    engines = [create_engine(url, pool_size=4) for _ in range(2)]
    credentials = school_app.state.relay.police.credentials  # the registered school's client secret
    try:
        async with httpx.AsyncClient(transport=wire, base_url="http://police-api") as http:
            relays = [_relay(engine, http, credentials, app.state.settings, clock) for engine in engines]
            assert {engine.dialect.name for engine in engines} == {app.state.runtime.engine.dialect.name}
            attempted = await asyncio.gather(*(_drain(relay, time.monotonic() + 180) for relay in relays))
    finally:
        for engine in engines:
            await engine.dispose()

    sends = wire.sends_per_key()
    assert {key: sends[key] for key in keys} == {key: 1 for key in keys}, "a message was sent twice or never"
    assert all(count > 0 for count in attempted), f"one relay did all the work: {attempted}"

    police_counts = await police_reports_for(police_app.state.runtime.engine, incident_ids)
    assert police_counts == {incident_id: 1 for incident_id in incident_ids}
    async with app.state.runtime.session(ALL_TENANTS) as session:
        referrals = {
            str(row.incident_id): row
            for row in await session.scalars(
                select(PoliceReferral).where(PoliceReferral.incident_id.in_([uuid.UUID(i) for i in incident_ids]))
            )
        }
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        police_side = {
            str(report.school_incident_id): (report.id, reference)
            for report, reference in await session.execute(
                select(SchoolReport, PoliceIncident.reference)
                .join(PoliceIncident, PoliceIncident.id == SchoolReport.police_incident_id)
                .where(SchoolReport.school_incident_id.in_([uuid.UUID(i) for i in incident_ids]))
            )
        }
    for incident_id in incident_ids:
        referral = referrals[incident_id]
        assert referral.delivery_state.value == "delivered" and referral.attempts == 1
        assert (referral.police_report_id, referral.police_reference) == police_side[incident_id]


@pytest.mark.skipif(BACKEND != "postgresql", reason="the SKIP LOCKED claim path runs on PostgreSQL")
async def test_postgresql_claim_skips_rows_another_relay_is_claiming_without_waiting(
    school: httpx.AsyncClient, school_app: Any, school_db: ThrowAwayDatabase, registered_school: str, tokens: Tokens,
    clock: Clock,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_ids = [await refer(school, dsl) for _ in range(12)]
    messages = [await outbox_of(school_app, incident_id) for incident_id in incident_ids]
    held, free = {m.id for m in messages[:5]}, {m.id for m in messages[5:]}

    engine = create_engine(school_db.url, pool_size=2)
    settings = school_app.state.settings.model_copy(update={"relay_batch_size": 500})
    relay = _relay(engine, school_app.state.relay.police.http, school_app.state.relay.police.credentials, settings, clock)
    try:
        async with engine.connect() as other_relay:
            # Another relay is mid-claim: its transaction holds these rows FOR UPDATE, uncommitted.
            await other_relay.execute(
                select(OutboxMessage.id).where(OutboxMessage.id.in_(held)).with_for_update()
            )
            started = time.monotonic()
            claimed = await asyncio.wait_for(relay.claim_due(), timeout=10)
            assert time.monotonic() - started < 5, "the claim waited for the other relay's lock"
            claimed_ids = {message_id for message_id, _ in claimed}
            assert free <= claimed_ids and not (held & claimed_ids)
            await other_relay.rollback()
        for message_id, lease in claimed:
            await relay._deliver(message_id, lease)
        late = await relay.claim_due()
        assert held <= {message_id for message_id, _ in late}
        for message_id, lease in late:
            await relay._deliver(message_id, lease)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def school_on(url: str, keys: Keys, workdir: Path, police_http: httpx.AsyncClient) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """A school app of its own on `url` (migrated here), its police client wired to the police app in-process."""
    await asyncio.to_thread(upgrade, "school_api", url)  # Alembic runs its own event loop
    app = create_school_app(school_settings(keys, url, workdir), clock=Clock(), police_http=police_http)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://school-api") as client:
            yield app, client


@pytest.fixture
async def own_school(
    tmp_path: Path, keys: Keys, workdir: Path, police_http_for_school: httpx.AsyncClient
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, str]]:
    """A school database of its own on the suite's backend: 200 referrals here do not slow other tests' polls."""
    database = ThrowAwayDatabase(f"handoff_{uuid.uuid4().hex[:6]}", tmp_path)
    try:
        async with school_on(database.url, keys, workdir, police_http_for_school) as (app, client):
            yield app, client, database.url
    finally:
        await asyncio.to_thread(database.drop)


@pytest.fixture
async def sqlite_school(
    tmp_path: Path, keys: Keys, workdir: Path, police_http_for_school: httpx.AsyncClient
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, str]]:
    """A school app on its own SQLite file, whatever the suite's backend."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'school-sqlite-path.sqlite3'}"
    async with school_on(url, keys, workdir, police_http_for_school) as (app, client):
        yield app, client, url


async def test_sqlite_claim_is_a_conditional_update_that_never_gives_one_message_to_two_relays(
    sqlite_school: tuple[Any, httpx.AsyncClient, str], urn: str, tokens: Tokens
) -> None:
    app, client, url = sqlite_school
    dsl = bearer(tokens.school("dsl", urn))
    for _ in range(40):
        await refer(client, dsl)
    own_clock = Clock()
    settings = app.state.settings.model_copy(update={"relay_batch_size": 3, "relay_lease_seconds": 30.0})
    engines = [create_engine(url) for _ in range(3)]
    try:
        assert {engine.dialect.name for engine in engines} == {"sqlite"}
        relays = [_relay(engine, app.state.relay.police.http, {}, settings, own_clock) for engine in engines]
        taken: list[list[uuid.UUID]] = [[], []]
        while True:
            rounds = await asyncio.gather(relays[0].claim_due(), relays[1].claim_due())
            if not any(rounds):
                break
            for owner, claimed in enumerate(rounds):
                assert len(claimed) <= 3
                taken[owner].extend(message_id for message_id, _ in claimed)
        everything = taken[0] + taken[1]
        assert len(everything) == len(set(everything)) == 40, "a message was claimed twice or not at all"
        assert taken[0] and taken[1]

        # A third relay finds every message leased; once the leases lapse (relays died), it takes them.
        assert await relays[2].claim_due() == []
        own_clock.advance(timedelta(seconds=31))
        retaken: list[uuid.UUID] = []
        while claimed := await relays[2].claim_due():
            retaken.extend(message_id for message_id, _ in claimed)
        assert sorted(retaken) == sorted(everything)
        async with engines[0].connect() as connection:
            owners = (await connection.execute(text("SELECT DISTINCT lease_owner FROM outbox_messages"))).scalars().all()
        assert len(owners) > 1 and all(owner.startswith(relays[2].relay_id) for owner in owners)
    finally:
        for engine in engines:
            await engine.dispose()
