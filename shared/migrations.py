"""Alembic helpers shared by both services: run migrations from code, and tell whether a database is at head."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.settings import REPO_ROOT

MIGRATIONS_ROOT = REPO_ROOT / "migrations"


def built_on(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` when comparing a database of `dialect` with the models: it leaves out what
    the models build on another dialect only (declared with `ddl_if(dialect=...)`, such as the audit's GIN
    index, PostgreSQL's), which the database rightly lacks."""

    def include(obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect is None or condition.dialect == dialect

    return include


def alembic_config(service: str, database_url: str, data_keys_file: Path | None = None) -> Config:
    """`data_keys_file`: the key ring a migration that encrypts or decrypts stored rows uses (without it,
    the service's setting)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_ROOT / service))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["database_url"] = database_url
    if data_keys_file is not None:
        config.attributes["data_keys_file"] = data_keys_file
    return config


def upgrade(service: str, database_url: str, revision: str = "head", *, data_keys_file: Path | None = None) -> None:
    if database_url.startswith("sqlite"):
        Path(database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, database_url, data_keys_file), revision)


def downgrade(service: str, database_url: str, revision: str = "base", *, data_keys_file: Path | None = None) -> None:
    command.downgrade(alembic_config(service, database_url, data_keys_file), revision)


@cache
def head_revision(service: str) -> str | None:
    """Read once per process: the migrations on disk do not change under a running service."""
    return ScriptDirectory.from_config(alembic_config(service, "sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
