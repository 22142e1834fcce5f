"""A database that cannot take the request now answers 503 with Retry-After within seconds (issue 14):
SQLite's write lock held by another writer, or every pooled connection busy. The soak once saw a
request wait 30 s for the lock and then fail with a 500."""
from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from services.police_api.app import create_app as create_police_app
from services.police_api.settings import PoliceSettings
from services.school_api.settings import SchoolSettings
from shared.clock import Clock
from tests.conftest import police_settings
from tests.support import BACKEND, Keys, ThrowAwayDatabase, Tokens, bearer


async def test_a_sqlite_database_locked_by_another_writer_answers_503_within_seconds(
    keys: Keys, police_db: ThrowAwayDatabase, tokens: Tokens
) -> None:
    if BACKEND != "sqlite":
        pytest.skip("SQLite's single write lock")
    app = create_police_app(police_settings(keys, police_db.url, db_busy_timeout_seconds=0.5), clock=Clock())
    officer = bearer(tokens.police("supervisor", "52"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://police-api") as police:
            # Another process (a migration, a backup, a stuck writer) holds the write lock.
            other = sqlite3.connect(police_db.url.removeprefix("sqlite+aiosqlite:///"), isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                started = time.monotonic()
                locked = await police.get("/incidents", headers=officer)
                waited = time.monotonic() - started
            finally:
                other.execute("ROLLBACK")
                other.close()
            assert locked.status_code == 503, locked.text
            assert locked.json()["type"] == "/problems/service-unavailable"
            assert locked.headers["Retry-After"].isdigit()
            assert waited < 3, f"answered after {waited:.1f}s"
            assert (await police.get("/incidents", headers=officer)).status_code == 200


async def test_a_police_request_that_finds_every_connection_busy_answers_503_within_seconds(
    keys: Keys, police_db: ThrowAwayDatabase, tokens: Tokens
) -> None:
    settings = police_settings(keys, police_db.url, db_pool_size=1, db_pool_timeout_seconds=0.3)
    app = create_police_app(settings, clock=Clock())
    officer = bearer(tokens.police("supervisor", "52"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://police-api") as police:
            async with app.state.runtime.engine.connect():  # the pool's only connection, held
                started = time.monotonic()
                busy = await police.get("/incidents", headers=officer)
                waited = time.monotonic() - started
            assert busy.status_code == 503 and busy.json()["type"] == "/problems/service-unavailable"
            assert busy.headers["Retry-After"].isdigit()
            assert waited < 3, f"answered after {waited:.1f}s"
            assert (await police.get("/incidents", headers=officer)).status_code == 200


def test_the_default_waits_leave_a_client_an_answer_in_a_few_seconds() -> None:
    for settings in (PoliceSettings(), SchoolSettings()):
        assert settings.db_busy_timeout_seconds <= 5 and settings.db_pool_timeout_seconds <= 5


async def test_a_walk_of_the_audit_chains_blocks_no_writer(
    keys: Keys, police_db: ThrowAwayDatabase, tokens: Tokens
) -> None:
    """The scheduled checkpoint and audit-verify read every chain in one snapshot that takes no write lock."""
    from sqlalchemy import func, select

    from shared.db import begin_read_snapshot
    from shared.tenancy import ALL_TENANTS

    app = create_police_app(police_settings(keys, police_db.url, db_busy_timeout_seconds=0.5), clock=Clock())
    officer = bearer(tokens.police("supervisor", "52"))
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://police-api") as police:
            async with runtime.session(ALL_TENANTS) as walk:
                await begin_read_snapshot(walk)
                before = await walk.scalar(select(func.count()).select_from(runtime.audit_model))
                assert (await police.get("/incidents", headers=officer)).status_code == 200
                # The snapshot does not see what was written after it began.
                assert await walk.scalar(select(func.count()).select_from(runtime.audit_model)) == before
