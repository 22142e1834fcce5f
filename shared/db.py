"""Database plumbing shared by both services: engines, the UTC column type, sessions, hooks.

Each service has its own database and its own metadata; this module only supplies the parts.
"""
from __future__ import annotations

import functools
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event, insert
from sqlalchemy import inspect as inspect_mapping
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from shared.encryption import sealed_values
from shared.tenancy import refuse_foreign_write

# Explicit names so that Alembic migrations are stable and identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


async def insert_as_built(session: AsyncSession, record: Any) -> None:
    """Write one new mapped object, every column already set on it, with a single Core INSERT.

    For the busiest write (opening an incident): the unit of work's flush of one object cost more than
    the round trip itself. The tenant guard's write check still applies. The object is not added to the
    session, so it is returned to the caller as built and is not tracked for later changes.
    """
    refuse_foreign_write(session.sync_session, record)
    await session.execute(insert(inspect_mapping(type(record)).local_table), built_values(record))


def built_values(record: Any, *, left_to_the_database: str | None = None) -> dict[str, Any]:
    """Column name to value of a new mapped object, encrypted columns sealed for its row; refused if any
    attribute but `left_to_the_database` is unset."""
    table, attributes = _built_columns(type(record), left_to_the_database)
    state = record.__dict__
    unset = [key for key, _ in attributes if key not in state]
    if unset:
        raise ValueError(f"{type(record).__name__} is not fully built; unset: {', '.join(unset)}")
    return sealed_values(table, {column: state[key] for key, column in attributes})


@functools.cache
def _built_columns(model: type, left_to_the_database: str | None) -> tuple[Any, tuple[tuple[str, str], ...]]:
    """The model's table and (attribute, column) names but `left_to_the_database`: fixed once the model is
    mapped, and read on every incident opened."""
    mapper = inspect_mapping(model)
    attributes = tuple(
        (attribute.key, attribute.columns[0].key) for attribute in mapper.column_attrs if attribute.key != left_to_the_database
    )
    return mapper.local_table, attributes


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on every backend.

    SQLite has no time zones, so the value is stored as naive UTC there and re-labelled on the
    way out; a naive datetime coming in is a bug and is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    url: str, *, pool_size: int = 20, pool_timeout: float = 10.0, busy_timeout: float = 30.0, echo: bool = False
) -> AsyncEngine:
    # No overflow: an overflow connection is closed when it is handed back, so a steady load above the
    # pool size opened and closed a PostgreSQL connection per request (the profile caught asyncpg
    # connecting, TLS context and all, inside the request). A request that finds every connection busy
    # waits up to `pool_timeout` seconds and is then answered 503 (see shared.http).
    pool = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    if is_sqlite(url):
        # A writer waits `busy_timeout` seconds for SQLite's one write lock. The APIs pass their setting (5 s),
        # after which the request is answered 503 with Retry-After (shared.http): a client hears back in
        # seconds, not after 30 s and a 500. Commands and stand-alone relays answer no client and keep 30 s.
        connect_args = {"timeout": busy_timeout, "factory": RollbackOnCloseConnection}
        engine = create_async_engine(url, echo=echo, connect_args=connect_args, **pool)
        _configure_sqlite(engine, busy_timeout)
        return engine
    # No pre-ping: it costs a round trip on every checkout (8 % of a request in the benchmark's
    # profile). A connection that died with a database restart fails one request, and is replaced.
    return create_async_engine(url, echo=echo, pool_recycle=1800, **pool)


class RollbackOnCloseConnection(sqlite3.Connection):
    """A SQLite connection that ends its transaction before it closes.

    SQLAlchemy closes a connection without a rollback when a task is cancelled in the middle of a
    statement (it terminates the connection rather than trust it). Python 3.11's close() does not
    finalize statements that a cursor still holds, so SQLite keeps the connection as a "zombie"
    with its transaction, and its write lock, until those cursors are garbage; every other writer
    then waited 30 s and failed "database is locked" (seen when a test cancelled the relay in the
    middle of in-process police calls). A rollback first releases the lock whatever holds on.
    """

    def close(self) -> None:
        try:
            if self.in_transaction:
                self.rollback()
        except sqlite3.ProgrammingError:
            pass  # closed already: close() stays idempotent, as sqlite3's own is
        finally:
            super().close()


def _configure_sqlite(engine: AsyncEngine, busy_timeout: float) -> None:
    """Foreign keys on, WAL, and BEGIN IMMEDIATE.

    Every request writes (reads are audited), and a deferred transaction that reads then writes
    can fail with SQLITE_BUSY when another connection wrote in between; taking the write lock at
    BEGIN makes SQLite's single writer wait its turn instead (the documented pysqlite recipe).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_READ_SNAPSHOT):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_READ_SNAPSHOT = "ysi_read_snapshot"


async def begin_read_snapshot(session: AsyncSession) -> None:
    """Begin the session's transaction as one consistent view for a long read that must block no writer
    (walking the audit chains): REPEATABLE READ on PostgreSQL, so rows committed during the walk cannot
    appear half-way through it; a deferred BEGIN on SQLite, whose WAL readers keep their snapshot without
    taking the write lock that BEGIN IMMEDIATE would hold for the whole walk. Call it before the first query."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        await session.connection(execution_options={_READ_SNAPSHOT: True})


def new_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


AfterCommit = Callable[[], Awaitable[None] | None]
BeforeCommit = Callable[[AsyncSession], Awaitable[None]]


def before_commit(session: Any, step: BeforeCommit) -> None:
    """Run `step` once at the end of the request scope, after its last flush and before its audit rows and
    commit, so that what it writes commits with the request. Registering the same step again is a no-op."""
    steps = session.info.setdefault("before_commit", [])
    if step not in steps:
        steps.append(step)


async def run_before_commit(session: AsyncSession) -> None:
    # The flush first: a step is registered by what a flush finds, and the request's last changes may
    # not have been flushed yet. A session with nothing to flush is not asked (a flush would find it
    # clean and return, after a trip through SQLAlchemy's greenlet on every request).
    if has_pending_changes(session):
        await session.flush()
    for step in session.info.pop("before_commit", []):
        await step(session)


def has_pending_changes(session: AsyncSession) -> bool:
    """Whether a flush would write anything: new, changed or deleted objects in the session."""
    return bool(session.new or session.dirty or session.deleted)


def on_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the request scope has committed (never if it rolls back).

    Used to wake the referral relay: the outbox row must be durable before anyone looks for it.
    """
    session.info.setdefault("after_commit", []).append(callback)


def on_rollback(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` after the request scope has rolled back, once its locks are released."""
    session.info.setdefault("after_rollback", []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    session.info.pop("after_rollback", None)
    await _run(session.info.pop("after_commit", []))


async def run_after_rollback(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)
    await _run(session.info.pop("after_rollback", []))


async def _run(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        result = callback()
        if result is not None:
            await result
