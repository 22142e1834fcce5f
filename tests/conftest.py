"""Fixtures shared by the whole suite: both apps in-process on a real database of the chosen backend.

`make test` runs the suite twice: TEST_DATABASE=sqlite, then TEST_DATABASE=postgresql.
"""
from __future__ import annotations

from shared.tenancy import ALL_TENANTS

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest

from services.police_api.app import create_app as create_police_app
from services.police_api.settings import PoliceSettings
from services.school_api.app import create_app as create_school_app
from services.school_api.referrals.police_client import ClientCredentials
from services.school_api.settings import SchoolSettings
from shared.clock import Clock
from tests.support import (
    BACKEND, POLICE_IDP, SCHOOL_IDP, Keys, ThrowAwayDatabase, Tokens, bearer, checkpoint_dir, database_refused,
    drop_migrated_templates,
    fresh_urn,
)


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_migrated_templates()


# The fixtures every database-bound fixture stands on (the apps, the clients, the worlds all need one of them).
DATABASE_FIXTURES = frozenset({"school_db", "police_db"})
BACKEND_INDEPENDENT = "backend_independent"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the rules' unit tests backend-independent (the rules packages are pure by the house rules), and
    refuse, before anything runs, a backend-independent test that asks for a database fixture: the
    PostgreSQL pass of `make test` deselects these tests, so a wrong mark would lose a database check."""
    wrong = []
    for item in items:
        if "rules" in item.path.relative_to(config.rootpath).parts[:-1]:
            item.add_marker(BACKEND_INDEPENDENT)
        if item.get_closest_marker(BACKEND_INDEPENDENT) and DATABASE_FIXTURES & set(item.fixturenames):  # type: ignore[attr-defined]
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "marked backend_independent but uses a database fixture (docs/testing.md): " + ", ".join(wrong)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """A backend-independent test that makes a throw-away database anyway (in its fixtures of any scope, or in
    its body) fails: see ThrowAwayDatabase."""
    refuse = item.get_closest_marker(BACKEND_INDEPENDENT) is not None
    with database_refused(item.nodeid) if refuse else nullcontext():
        return (yield)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ysi")


@pytest.fixture(scope="session")
def keys(workdir: Path) -> Keys:
    return Keys(workdir / "keys")


@pytest.fixture(scope="session")
def school_db(workdir: Path) -> Iterator[ThrowAwayDatabase]:
    database = ThrowAwayDatabase.at_head("school", "school_api", workdir)
    yield database
    database.drop()


@pytest.fixture(scope="session")
def police_db(workdir: Path) -> Iterator[ThrowAwayDatabase]:
    database = ThrowAwayDatabase.at_head("police", "police_api", workdir)
    yield database
    database.drop()


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture
def moved_clock(clock: Clock) -> Iterator[Clock]:
    """The apps' clock, for a test that moves time; put back afterwards."""
    yield clock
    clock.reset()


@pytest.fixture(scope="session")
def tokens(keys: Keys, clock: Clock) -> Tokens:
    return Tokens(keys, clock)


# The suite's apps share SQLite files with many writers on a loaded machine: waiting for the write lock as
# long as before (30 s) keeps the hand-off tests' exact counts of sends free of 503-and-retry. The 503 itself
# is tested with a short wait (tests/shared/test_busy_database.py); production keeps the 5 s default.
TEST_BUSY_TIMEOUT_SECONDS = 30


def police_settings(keys: Keys, database_url: str, **overrides: object) -> PoliceSettings:
    values = dict(
        environment="test",
        database_url=database_url,
        idp_issuer=POLICE_IDP,
        idp_jwks_file=keys.path("police-idp.jwks.json"),
        signing_key_file=keys.path("police-signing.pem"),
        audit_checkpoint_dir=checkpoint_dir(keys.folder.parent, database_url),
        # Each start would walk the session database's whole chain; tests/security/test_audit.py runs the schedule.
        audit_checkpoint_interval_seconds=0,
        db_busy_timeout_seconds=TEST_BUSY_TIMEOUT_SECONDS,
        data_keys_file=keys.path("police-data-keys.json"),
    )
    values.update(overrides)
    return PoliceSettings(**values)


def school_settings(keys: Keys, database_url: str, workdir: Path, **overrides: object) -> SchoolSettings:
    values = dict(
        environment="test",
        database_url=database_url,
        idp_issuer=SCHOOL_IDP,
        idp_jwks_file=keys.path("school-idp.jwks.json"),
        signing_key_file=keys.path("school-signing.pem"),
        audit_checkpoint_dir=checkpoint_dir(workdir, database_url),
        audit_checkpoint_interval_seconds=0,
        db_busy_timeout_seconds=TEST_BUSY_TIMEOUT_SECONDS,
        data_keys_file=keys.path("school-data-keys.json"),
        police_clients_file=workdir / "no-police-clients.json",
        relay_enabled=False,
    )
    values.update(overrides)
    return SchoolSettings(**values)


@pytest.fixture(scope="session")
async def police_app(keys: Keys, police_db: ThrowAwayDatabase, clock: Clock) -> AsyncIterator[object]:
    app = create_police_app(police_settings(keys, police_db.url), clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def police_http_for_school(police_app: object) -> AsyncIterator[httpx.AsyncClient]:
    """The school service's outbound client, wired to the police app in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=police_app), base_url="http://police-api") as client:
        yield client


@pytest.fixture(scope="session")
async def school_app(
    keys: Keys, school_db: ThrowAwayDatabase, workdir: Path, clock: Clock, police_http_for_school: httpx.AsyncClient
) -> AsyncIterator[object]:
    app = create_school_app(school_settings(keys, school_db.url, workdir), clock=clock, police_http=police_http_for_school)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def school(school_app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=school_app), base_url="http://school-api") as client:
        yield client


@pytest.fixture(scope="session")
async def police(police_app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=police_app), base_url="http://police-api") as client:
        yield client


@pytest.fixture
def urn() -> str:
    return fresh_urn()


FORCE = "52"


@pytest.fixture
async def registered_school(urn: str, police_app: object, school_app: object) -> str:
    """A school registered as a police client (force 52), its credentials known to the school's relay."""
    from services.police_api.clients.service import register_school_client

    runtime = police_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(
            session, client_id=f"school-{urn}-{uuid.uuid4().hex[:6]}", school_urn=urn, force_code=FORCE, now=runtime.clock.now()
        )
        client_id = (await session.execute(_client_id_of(urn))).scalar_one()
        await session.commit()
    school_app.state.relay.police.credentials[urn] = ClientCredentials(client_id, secret)  # type: ignore[attr-defined]
    return urn


def _client_id_of(urn: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from services.police_api.clients.models import SchoolClient

    return select(SchoolClient.client_id).where(SchoolClient.school_urn == urn)


@pytest.fixture
def dsl(tokens: Tokens, urn: str) -> dict[str, str]:
    return bearer(tokens.school("dsl", urn))
