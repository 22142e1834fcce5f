"""Test support: throw-away databases on either backend, key pairs, tokens, in-process apps."""
from __future__ import annotations

import copy
import functools
import hashlib
import os
import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from shared.clock import Clock
from shared.encryption import new_key_ring, write_key_ring
from shared.jwks import write_jwks_file
from shared.tokens import TokenIssuer, generate_private_key_pem, public_key_pem_from_private

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

SCHOOL_IDP = "test-school-idp"
POLICE_IDP = "test-police-idp"


# The test now running when it is marked backend_independent: it runs on the SQLite pass only, so it must
# not make a database (it would be checked on one backend and not the other).
_refusing_databases_for: list[str] = []


@contextmanager
def database_refused(nodeid: str) -> Iterator[None]:
    _refusing_databases_for.append(nodeid)
    try:
        yield
    finally:
        _refusing_databases_for.remove(nodeid)


@dataclass
class ThrowAwayDatabase:
    """One database for one test session, dropped afterwards (PostgreSQL) or a file in a temp dir (SQLite);
    empty, or a copy of `template`."""

    name: str
    folder: Path
    template: ThrowAwayDatabase | None = None
    url: str = field(init=False)

    def __post_init__(self) -> None:
        if _refusing_databases_for:
            raise RuntimeError(
                f"{_refusing_databases_for[-1]} is marked backend_independent but makes a database; remove the mark"
            )
        if BACKEND == "postgresql":
            import psycopg

            self.db_name = f"ysi_test_{self.name}_{uuid.uuid4().hex[:10]}"
            copied = f' TEMPLATE "{self.template.db_name}"' if self.template else ""
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.db_name}"{copied}')
            base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
            self.url = f"{base}/{self.db_name}"
        else:
            self.url = f"sqlite+aiosqlite:///{self.path}"
            if self.template:
                import sqlite3

                # The backup API, not a file copy: a consistent copy whatever the template's WAL holds.
                with closing(sqlite3.connect(self.template.path)) as source, closing(sqlite3.connect(self.path)) as target:
                    source.backup(target)

    @classmethod
    def at_head(cls, name: str, service: str, folder: Path) -> ThrowAwayDatabase:
        """A new database at the head of `service`'s migrations, copied from one migrated once per test session.

        Running the migrations takes 1.5-2.6 s a database on these two cores, and the suite makes dozens (a
        chain to tamper with per audit test, two per real-process hand-off test); a copy takes milliseconds on
        SQLite and about 0.4 s on PostgreSQL (CREATE DATABASE ... TEMPLATE). The migrations still run from
        nothing: once per session into the template, and step by step in tests/shared/test_migrations.py."""
        return cls(name, folder, _migrated_template(service))

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}.sqlite3"

    def drop(self) -> None:
        if BACKEND == "postgresql":
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


_templates: dict[str, ThrowAwayDatabase] = {}


def _migrated_template(service: str) -> ThrowAwayDatabase:
    if service not in _templates:
        from shared.migrations import upgrade

        template = ThrowAwayDatabase(f"template_{service}", Path(tempfile.mkdtemp(prefix="ysi-templates-")))
        try:
            upgrade(service, template.url)
        except BaseException:
            template.drop()
            raise
        _templates[service] = template
    return _templates[service]


def drop_migrated_templates() -> None:
    """At the end of the session (tests/conftest.py): the templates are throw-away databases too."""
    while _templates:
        template = _templates.popitem()[1]
        template.drop()
        shutil.rmtree(template.folder, ignore_errors=True)


@dataclass
class Keys:
    """Key pairs for the test session; each identity provider's key set is `<name>.jwks.json` (kid: thumbprint)."""

    folder: Path

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("school-idp", "police-idp", "school-signing", "police-signing"):
            self.new_key(name)
        for name in ("school-idp", "police-idp"):
            write_jwks_file(self.path(f"{name}.jwks.json"), [self.path(f"{name}.pem").read_bytes()])
        for name in ("school-data-keys", "police-data-keys"):
            write_key_ring(self.folder / f"{name}.json", new_key_ring(), exclusive=True)

    def new_key(self, name: str) -> Path:
        private = generate_private_key_pem()
        (self.folder / f"{name}.pem").write_bytes(private)
        (self.folder / f"{name}.public.pem").write_bytes(public_key_pem_from_private(private))
        return self.folder / f"{name}.pem"

    def path(self, name: str) -> Path:
        return self.folder / name

    def issuer(self, name: str, issuer: str) -> TokenIssuer:
        return TokenIssuer(issuer, (self.folder / f"{name}.pem").read_text())


@dataclass
class Tokens:
    keys: Keys
    clock: Clock

    def school(self, role: str, school_urn: str, sub: str | None = None, **overrides: Any) -> str:
        claims = {"role": role, "school_urn": school_urn}
        claims.update(overrides)
        return self.keys.issuer("school-idp", SCHOOL_IDP).issue(
            subject=sub or f"{role}-{school_urn}", audience="school-api", now=self.clock.now(),
            lifetime=timedelta(hours=1), claims=claims,
        )

    def police(self, role: str, force_code: str, sub: str | None = None, **overrides: Any) -> str:
        claims = {"role": role, "force_code": force_code}
        claims.update(overrides)
        return self.keys.issuer("police-idp", POLICE_IDP).issue(
            subject=sub or f"{role}-{force_code}", audience="police-api", now=self.clock.now(),
            lifetime=timedelta(hours=1), claims=claims,
        )


@functools.cache
def _app_documents() -> dict[str, dict[str, Any]]:
    from scripts.export_openapi import documents

    return documents()


def app_documents() -> dict[str, dict[str, Any]]:
    """Both apps' OpenAPI documents exactly as `make openapi` builds them, built once per run (each build
    of both apps costs seconds and half a dozen modules read them); every caller gets its own copy to change."""
    return copy.deepcopy(_app_documents())


def checkpoint_dir(folder: Path, database_url: str) -> Path:
    """A checkpoint folder per database: a checkpoint says where one database's chains stood."""
    return folder / "audit-checkpoints" / hashlib.sha256(database_url.encode()).hexdigest()[:12]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_used_urns: set[str] = set()


def fresh_urn() -> str:
    """A school URN no other test in this session uses, so tests never see each other's rows."""
    while True:
        urn = f"{random.randint(100000, 999999)}"
        if urn not in _used_urns:
            _used_urns.add(urn)
            return urn
