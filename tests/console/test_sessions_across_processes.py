"""Issue 15 with issue 13: a console session lives in the service's own database, so two processes of one
service (here two app instances, each with its own engine and pool, on one database) share it: signed in
on one, used on the other, signed out on the other, and then refused on the first. Likewise the pending
OpenID Connect sign-in, sent from one process and answered by another. Both backends."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from services.police_api.app import create_app as create_police_app
from services.police_api.console.models import ConsoleSessionRecord
from services.school_api.app import create_app as create_school_app
from services.school_api.console.models import PendingSignInRecord
from shared.clock import Clock
from shared.console.sessions import cookie_hash
from tests.conftest import FORCE, police_settings, school_settings
from tests.console.support import CLIENT_ID, REDIRECT_URI, FakeIssuer
from tests.support import Keys, ThrowAwayDatabase

COOKIE = "police_api_console_session"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@asynccontextmanager
async def process(app: FastAPI, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
            yield client


@pytest.fixture
async def two_police_processes(keys: Keys, police_db: ThrowAwayDatabase, clock: Clock) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI]]:
    settings = police_settings(keys, police_db.url, console_dev_signing_key_file=keys.path("police-idp.pem"))
    first, second = create_police_app(settings, clock=clock), create_police_app(settings, clock=clock)
    async with process(first, "http://police-api") as one, process(second, "http://police-api") as other:
        yield one, other, first


async def test_a_session_made_by_one_process_is_used_and_ended_by_another(two_police_processes) -> None:
    one, other, app = two_police_processes
    page = await one.get("/console/sign-in")
    signed_in = await one.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": "supervisor", "tenant": FORCE})
    assert signed_in.status_code == 303
    cookie = one.cookies.get(COOKIE)
    other.cookies.set(COOKIE, cookie, path="/console")

    listing = await other.get("/console/incidents")
    assert listing.status_code == 200 and f"Force code {FORCE}" in listing.text

    # The database holds a hash of the cookie's id, and the token and CSRF secret sealed, never in the clear.
    async with app.state.runtime.sessionmaker() as session:
        raw = (await session.execute(
            text("SELECT key_hash, token, csrf_secret FROM console_sessions WHERE key_hash = :key"), {"key": cookie_hash(cookie)}
        )).one()
        token = await session.scalar(select(ConsoleSessionRecord.token).where(ConsoleSessionRecord.key_hash == cookie_hash(cookie)))
    assert raw.key_hash != cookie and cookie not in raw.key_hash
    assert token.count(".") == 2 and raw.token.startswith("v1:") and token not in raw.token
    assert csrf_of(listing.text) not in raw.csrf_secret

    # Signed out on the other process: the row is gone, and the first process refuses the cookie.
    assert (await other.post("/console/sign-out", data={"csrf_token": csrf_of(listing.text)})).status_code == 303
    async with app.state.runtime.sessionmaker() as session:
        left = await session.scalar(select(func.count()).select_from(ConsoleSessionRecord).where(ConsoleSessionRecord.key_hash == cookie_hash(cookie)))
    assert left == 0
    refused = await one.get("/console/incidents")
    assert refused.status_code == 303 and refused.headers["location"] == "/console/sign-in"


async def test_an_idle_session_is_refused_by_every_process_and_its_row_removed(two_police_processes, moved_clock: Clock) -> None:
    one, other, app = two_police_processes
    page = await one.get("/console/sign-in")
    await one.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": "scpo", "tenant": FORCE})
    cookie = one.cookies.get(COOKIE)
    other.cookies.set(COOKIE, cookie, path="/console")
    assert (await other.get("/console/incidents")).status_code == 200
    moved_clock.advance(timedelta(minutes=29))
    # Seen by the first process: the idle clock restarts for both.
    assert (await one.get("/console/incidents")).status_code == 200
    moved_clock.advance(timedelta(minutes=29))
    assert (await other.get("/console/incidents")).status_code == 200
    moved_clock.advance(timedelta(minutes=31))
    assert (await one.get("/console/incidents")).headers["location"] == "/console/sign-in"
    async with app.state.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ConsoleSessionRecord).where(ConsoleSessionRecord.key_hash == cookie_hash(cookie))) == 0
    assert (await other.get("/console/incidents")).headers["location"] == "/console/sign-in"


async def test_a_session_ends_at_eight_hours_however_busy(two_police_processes, moved_clock: Clock) -> None:
    one, other, _ = two_police_processes
    page = await one.get("/console/sign-in")
    await one.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": "scpo", "tenant": FORCE})
    other.cookies.set(COOKIE, one.cookies.get(COOKIE), path="/console")
    for _ in range(16):
        moved_clock.advance(timedelta(minutes=29))
        assert (await other.get("/console/incidents")).status_code == 200
    moved_clock.advance(timedelta(minutes=25))
    assert (await one.get("/console/incidents")).headers["location"] == "/console/sign-in"


async def test_the_pending_oidc_sign_in_is_answered_by_another_process_once(
    keys: Keys, school_db: ThrowAwayDatabase, workdir: Path, clock: Clock, issuer: FakeIssuer, urn: str  # noqa: F811
) -> None:
    settings = school_settings(
        keys, school_db.url, workdir, oidc_authorization_endpoint=f"{issuer.url}/authorize",
        oidc_token_endpoint=f"{issuer.url}/token", oidc_client_id=CLIENT_ID, oidc_redirect_uri=REDIRECT_URI,
    )
    first, second = create_school_app(settings, clock=clock), create_school_app(settings, clock=clock)
    async with process(first, "http://school-api") as one, process(second, "http://school-api") as other:
        start = await one.get("/console/sign-in/oidc")
        authorize = start.headers["location"]
        state = parse_qs(urlparse(authorize).query)["state"][0]
        pending_cookie = one.cookies.get("school_api_console_oidc")
        other.cookies.set("school_api_console_oidc", pending_cookie, path="/console")
        async with first.state.runtime.sessionmaker() as session:
            sealed = (await session.execute(text("SELECT sign_in_secrets FROM console_pending_sign_ins WHERE key_hash = :key"),
                                            {"key": cookie_hash(pending_cookie)})).scalar_one()
        assert state not in sealed and sealed.startswith("v1:")

        back = await other.get("/console/oidc/callback", params={"code": issuer.grant(authorize, urn), "state": state})
        assert back.status_code == 200 and "You are signed in" in back.text
        assert (await other.get("/console/incidents")).status_code == 200

        # Taken once: the same pending sign-in cannot be answered again, by either process.
        one.cookies.set("school_api_console_oidc", pending_cookie, path="/console")
        again = await one.get("/console/oidc/callback", params={"code": issuer.grant(authorize, urn), "state": state})
        assert again.status_code == 400
        async with first.state.runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(PendingSignInRecord).where(PendingSignInRecord.key_hash == cookie_hash(pending_cookie))) == 0
