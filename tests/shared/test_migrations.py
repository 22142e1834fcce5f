"""Schema changes go through Alembic only: upgrade an empty database to head, find no difference
from the models, downgrade to base again (issue 2, acceptance 4), on the suite's backend."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shared.db import create_engine
from shared.migrations import downgrade, upgrade
from tests.support import ThrowAwayDatabase


def _metadata(service: str):  # type: ignore[no-untyped-def]
    if service == "school_api":
        from services.school_api.models import Base
    else:
        from services.police_api.models import Base
    return Base.metadata


async def _differences(url: str, service: str) -> list:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), _metadata(service)
                )
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", ["school_api", "police_api"])
def test_migrations_build_exactly_the_models_and_come_down_again(service: str, tmp_path: Path) -> None:
    # Synchronous on purpose: Alembic's async env runs its own event loop.
    database = ThrowAwayDatabase(f"migrations_{service}", tmp_path)
    try:
        upgrade(service, database.url)
        assert asyncio.run(_differences(database.url, service)) == []
        assert "audit_entries" in asyncio.run(_tables(database.url))
        downgrade(service, database.url, "base")
        assert asyncio.run(_tables(database.url)) <= {"alembic_version"}
    finally:
        database.drop()
