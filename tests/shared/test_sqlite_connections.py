"""The embedded database must never keep a write lock for a connection that has been closed."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.db import RollbackOnCloseConnection, create_engine

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "locks.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE notes (body TEXT)")
    setup.executemany("INSERT INTO notes VALUES (?)", [("first",), ("second",)])
    setup.close()
    return path


def _close_in_the_middle_of_a_transaction(path: Path, factory: type[sqlite3.Connection]) -> sqlite3.Cursor:
    """What SQLAlchemy does to a connection whose task was cancelled mid-statement: close, no rollback."""
    writer = sqlite3.connect(path, isolation_level=None, factory=factory)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO notes VALUES ('third')")
    still_held = writer.execute("SELECT body FROM notes")
    still_held.fetchone()
    writer.close()
    return still_held  # a cursor the caller still references, as a traceback would


def _another_writer_can_begin(path: Path) -> bool:
    other = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_connection_closed_mid_transaction_releases_the_write_lock(tmp_path: Path) -> None:
    path = _database(tmp_path)
    held = _close_in_the_middle_of_a_transaction(path, RollbackOnCloseConnection)
    assert _another_writer_can_begin(path)
    reader = sqlite3.connect(path)
    assert [row[0] for row in reader.execute("SELECT body FROM notes")] == ["first", "second"], "the insert rolled back"
    reader.close()
    del held


def test_without_the_rollback_python_keeps_the_closed_connections_lock(tmp_path: Path) -> None:
    """Why the factory exists: Python 3.11 leaves a closed connection holding its lock while a cursor lives."""
    path = _database(tmp_path)
    held = _close_in_the_middle_of_a_transaction(path, sqlite3.Connection)
    if _another_writer_can_begin(path):
        pytest.fail("this Python's sqlite3 no longer keeps the lock; RollbackOnCloseConnection may be unnecessary")
    del held
    assert _another_writer_can_begin(path)


async def test_the_services_sqlite_engine_opens_its_connections_with_the_rollback(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            # aiosqlite keeps the sqlite3 connection it runs on its worker thread as `_connection`.
            assert isinstance(raw.driver_connection._connection, RollbackOnCloseConnection)
    finally:
        await engine.dispose()


def test_closing_twice_is_harmless_as_with_sqlite3(tmp_path: Path) -> None:
    connection = sqlite3.connect(_database(tmp_path), factory=RollbackOnCloseConnection)
    connection.close()
    connection.close()
