"""Schema changes go through Alembic only: upgrade an empty database to head, find no difference
from the models, downgrade to base again (issue 2, acceptance 4), on the suite's backend. The migration
that encrypts at rest (issue 14) seals the rows already stored and its downgrade opens them again."""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy import text as sa_text

from shared.db import create_engine
from shared.encryption import KeyRing, new_key_ring, value_context, write_key_ring
from shared.migrations import built_on, downgrade, upgrade
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
                    MigrationContext.configure(sync, opts={"compare_type": True, "include_object": built_on(sync.dialect.name)}),
                    _metadata(service),
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


# The revisions before and of the encryption at rest (issue 14), per service.
ENCRYPTION = {"school_api": ("76f58bcf067b", "4b5509aa2f99"), "police_api": ("1fba75125acb", "17a1c0642ed5")}
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _plain_rows(service: str, sqlite: bool) -> dict[str, list[dict[str, Any]]]:
    """Rows as the revision before the encryption stored them, names and narrative in clear."""
    incident, person = uuid.uuid4(), uuid.uuid4()

    def uid(value: uuid.UUID) -> Any:
        return value.hex if sqlite else value

    if service == "school_api":
        return {
            "incidents": [{
                "id": uid(incident), "school_urn": "100001", "reference": "100001-2026-0001", "status": "open",
                "disclosed_at": NOW, "disclosure_source": "peer", "image_nature": "inappropriate",
                "narrative": "Marigold told her tutor before registration", "created_by": "dsl", "created_by_role": "dsl",
                "created_at": NOW, "updated_at": NOW, "version": 1,
            }],
            "people": [{
                "id": uid(person), "school_urn": "100001", "incident_id": uid(incident), "kind": "pupil", "roles": ["pictured"],
                "given_name": "Marigold", "family_name": "Featherstonehaugh", "upn": "A123456789012",
                "date_of_birth": date(2011, 6, 14), "sex": "female", "vulnerabilities": [], "created_by": "dsl",
                "created_at": NOW, "updated_at": NOW, "version": 1,
            }],
        }
    return {
        "persons": [{
            "id": uid(person), "force_code": "52", "given_name": "Marigold", "family_name": "Featherstonehaugh",
            "name_key": "marigold featherstonehaugh", "date_of_birth": date(2011, 6, 14), "upn": "A123456789012",
            "sex": "female", "age_status": "child", "created_at": NOW, "updated_at": NOW, "version": 1,
        }],
    }


async def _insert(url: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            def write(sync: Any) -> None:
                metadata = MetaData()
                metadata.reflect(sync, only=list(rows))
                for table, values in rows.items():
                    sync.execute(metadata.tables[table].insert(), values)

            await connection.run_sync(write)
    finally:
        await engine.dispose()


async def _stored(url: str, table: str, columns: list[str]) -> dict[str, Any]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            query = sa_text(f"SELECT id, {', '.join(f'CAST({c} AS TEXT) AS {c}' for c in columns)} FROM {table}")
            return dict((await connection.execute(query)).mappings().one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", ["school_api", "police_api"])
def test_the_encryption_migration_seals_the_rows_already_stored_and_its_downgrade_opens_them_again(
    service: str, tmp_path: Path
) -> None:
    before, encrypted = ENCRYPTION[service]
    ring_file = tmp_path / "data-keys.json"
    write_key_ring(ring_file, new_key_ring())
    ring = KeyRing.load(ring_file)
    database = ThrowAwayDatabase(f"encryption_{service}", tmp_path)
    try:
        upgrade(service, database.url, before)
        rows = _plain_rows(service, sqlite=database.url.startswith("sqlite"))
        asyncio.run(_insert(database.url, rows))
        upgrade(service, database.url, encrypted, data_keys_file=ring_file)

        table = "people" if service == "school_api" else "persons"
        stored = asyncio.run(_stored(database.url, table, ["given_name", "family_name", "upn", "date_of_birth"]))
        for column, plain in (("given_name", "Marigold"), ("family_name", "Featherstonehaugh"), ("upn", "A123456789012"), ("date_of_birth", "2011-06-14")):
            assert stored[column].startswith(f"v1:{ring.current}:") and plain not in stored[column]
            assert ring.open(stored[column], value_context(table, column, stored["id"])).decode() == plain
        if service == "school_api":
            narrative = asyncio.run(_stored(database.url, "incidents", ["narrative"]))
            assert ring.open(narrative["narrative"], value_context("incidents", "narrative", narrative["id"])).decode().startswith("Marigold told")
        else:
            keys = asyncio.run(_stored(database.url, "persons", ["upn_key", "name_dob_key"]))
            assert keys["upn_key"] == ring.keyed_hash("person.upn", "A123456789012")
            assert keys["name_dob_key"] == ring.keyed_hash("person.name_dob", "marigold featherstonehaugh|2011-06-14")

        downgrade(service, database.url, before, data_keys_file=ring_file)
        stored = asyncio.run(_stored(database.url, table, ["given_name", "family_name", "upn", "date_of_birth"]))
        assert (stored["given_name"], stored["family_name"], stored["upn"], stored["date_of_birth"]) == (
            "Marigold", "Featherstonehaugh", "A123456789012", "2011-06-14"
        )
        if service == "police_api":
            assert asyncio.run(_stored(database.url, "persons", ["name_key"]))["name_key"] == "marigold featherstonehaugh"
    finally:
        database.drop()
