"""Fixtures of the hand-off tests: the in-process apps of tests/conftest.py, plus a relay of the
test's own whose wire to the police can be scripted for one answer at a time."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.police_api.clients.service import register_school_client
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.referrals.police_client import ClientCredentials, PoliceClient
from services.school_api.referrals.relay import Relay
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS
from tests.conftest import FORCE
from tests.handoff.support import ScriptedPolice
from tests.support import fresh_urn


async def register(police_app: Any, school_app: Any, urn: str) -> ClientCredentials:
    """Register `urn` as a police school client and give its credentials to the school's relay."""
    runtime = police_app.state.runtime
    client_id = f"school-{urn}-{uuid.uuid4().hex[:6]}"
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(
            session, client_id=client_id, school_urn=urn, force_code=FORCE, now=runtime.clock.now()
        )
        await session.commit()
    credentials = ClientCredentials(client_id, secret)
    school_app.state.relay.police.credentials[urn] = credentials
    return credentials


@pytest.fixture
async def another_school(police_app: Any, school_app: Any) -> str:
    urn = fresh_urn()
    await register(police_app, school_app, urn)
    return urn


@pytest.fixture
async def wire(police_app: Any) -> AsyncIterator[ScriptedPolice]:
    yield ScriptedPolice(httpx.ASGITransport(app=police_app))


@pytest.fixture
async def scripted_relay(school_app: Any, wire: ScriptedPolice, clock: Clock) -> AsyncIterator[Relay]:
    """A relay like the app's (same database, settings, clock and credentials) over a scriptable wire."""
    async with httpx.AsyncClient(transport=wire, base_url="http://police-api") as http:
        police = PoliceClient(http, school_app.state.relay.police.credentials, clock)
        runtime = school_app.state.runtime
        yield Relay(runtime.sessionmaker, police, school_app.state.settings, clock)


async def outbox_of(school_app: Any, incident_id: str) -> OutboxMessage:
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        return await session.scalar(
            select(OutboxMessage)
            .join(PoliceReferral, PoliceReferral.id == OutboxMessage.referral_id)
            .where(PoliceReferral.incident_id == uuid.UUID(incident_id))
        )
