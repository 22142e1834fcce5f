"""The stack under test: throw-away databases, throw-away keys, uvicorn processes, their peak RSS."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.probes import process_tree
from shared.clock import Clock
from shared.jwks import write_jwks_file
from shared.encryption import new_key_ring, write_key_ring
from shared.tokens import TokenIssuer, generate_private_key_pem, public_key_pem_from_private

VENV_BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCHOOL_IDP = "bench-school-idp"
POLICE_IDP = "bench-police-idp"


class BenchError(RuntimeError):
    """A set-up step failed; the message says which and where to look."""


@dataclass
class Database:
    """One throw-away database: a PostgreSQL database dropped afterwards, or an SQLite file in the run folder."""

    backend: str
    name: str
    folder: Path
    async_url: str = field(init=False)
    sync_url: str = field(init=False)

    def __post_init__(self) -> None:
        if self.backend == "postgresql":
            import psycopg

            self.db_name = f"bench_{self.name}_{uuid.uuid4().hex[:8]}"
            try:
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f'CREATE DATABASE "{self.db_name}"')
            except psycopg.OperationalError as exc:
                raise BenchError(
                    f"cannot reach PostgreSQL at {POSTGRES_ADMIN_URL} ({exc.__class__.__name__}); start it, set "
                    "BENCH_POSTGRES_URL, or run with --backend sqlite"
                ) from None
            base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
            self.async_url = f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{self.db_name}"
            self.sync_url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{self.db_name}"
        else:
            path = self.folder / f"{self.name}.sqlite3"
            self.async_url = f"sqlite+aiosqlite:///{path}"
            self.sync_url = f"sqlite:///{path}"

    def drop(self) -> None:
        if self.backend == "postgresql":
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


def postgres_version() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only for the report
        return None


def postgres_free_connections() -> int | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5) as connection:
            return connection.execute(
                "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
                " - count(*) FROM pg_stat_activity").fetchone()[0]
    except Exception:  # noqa: BLE001 - only advice
        return None


class Keys:
    """Fresh keys for this run only: the two identity providers, the two signing keys and the two data key rings."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("school-idp", "police-idp", "school-signing", "police-signing"):
            private = generate_private_key_pem()
            (folder / f"{name}.pem").write_bytes(private)
            (folder / f"{name}.public.pem").write_bytes(public_key_pem_from_private(private))
        for name in ("school-idp", "police-idp"):
            write_jwks_file(folder / f"{name}.jwks.json", [self.path(f"{name}.pem").read_bytes()])
        for name in ("school-data-keys", "police-data-keys"):
            write_key_ring(folder / f"{name}.json", new_key_ring(), exclusive=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def school_token(self, role: str, urn: str) -> str:
        issuer = TokenIssuer(SCHOOL_IDP, self.path("school-idp.pem").read_text())
        return issuer.issue(subject=f"bench-{role}", audience="school-api", now=Clock().now(),
                            lifetime=timedelta(hours=3), claims={"role": role, "school_urn": urn})

    def police_token(self, role: str, force_code: str) -> str:
        issuer = TokenIssuer(POLICE_IDP, self.path("police-idp.pem").read_text())
        return issuer.issue(subject=f"bench-{role}", audience="police-api", now=Clock().now(),
                            lifetime=timedelta(hours=3), claims={"role": role, "force_code": force_code})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def police_env(keys: Keys, database_url: str) -> dict[str, str]:
    return {
        "POLICE_API_ENVIRONMENT": "test",
        "POLICE_API_DATABASE_URL": database_url,
        "POLICE_API_IDP_ISSUER": POLICE_IDP,
        "POLICE_API_IDP_JWKS_FILE": str(keys.path("police-idp.jwks.json")),
        "POLICE_API_SIGNING_KEY_FILE": str(keys.path("police-signing.pem")),
        "POLICE_API_AUDIT_CHECKPOINT_DIR": str(keys.folder.parent / "audit-checkpoints" / "police_api"),
        "POLICE_API_DATA_KEYS_FILE": str(keys.path("police-data-keys.json")),
        "POLICE_API_CLIENT_TOKEN_LIFETIME_SECONDS": "3600",
        "POLICE_API_LOG_LEVEL": "WARNING",
    }


def school_env(keys: Keys, database_url: str, police_url: str, clients_file: Path) -> dict[str, str]:
    # The relay keeps its production idle poll (5 s): a hand-off faster than that proves the wake on commit.
    return {
        "SCHOOL_API_ENVIRONMENT": "test",
        "SCHOOL_API_DATABASE_URL": database_url,
        "SCHOOL_API_IDP_ISSUER": SCHOOL_IDP,
        "SCHOOL_API_IDP_JWKS_FILE": str(keys.path("school-idp.jwks.json")),
        "SCHOOL_API_SIGNING_KEY_FILE": str(keys.path("school-signing.pem")),
        "SCHOOL_API_AUDIT_CHECKPOINT_DIR": str(keys.folder.parent / "audit-checkpoints" / "school_api"),
        "SCHOOL_API_DATA_KEYS_FILE": str(keys.path("school-data-keys.json")),
        "SCHOOL_API_POLICE_API_URL": police_url,
        "SCHOOL_API_POLICE_CLIENTS_FILE": str(clients_file),
        "SCHOOL_API_LOG_LEVEL": "WARNING",
    }


# A command or a service start on a machine shared with test runs (load average 15 on 2 cores) has taken
# over 60 s; a quiet machine takes 2 s.
SLOW_START_SECONDS = 180.0


def register_school(env: dict[str, str], urn: str, force_code: str, clients_file: Path) -> dict[str, str]:
    """The documented admin command, run as an operator would; the secret goes to the school's clients file."""
    command = [str(VENV_BIN / "police-api"), "register-school", "--client-id", f"school-{urn}",
               "--school-urn", urn, "--force-code", force_code]
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=SLOW_START_SECONDS)
    if result.returncode != 0:
        raise BenchError(f"police-api register-school failed: {result.stderr.strip()[-500:]}")
    registered = json.loads(result.stdout)
    clients = json.loads(clients_file.read_text()) if clients_file.exists() else {}
    clients[urn] = {"client_id": registered["client_id"], "client_secret": registered["client_secret"]}
    clients_file.write_text(json.dumps(clients))
    clients_file.chmod(0o600)
    return clients[urn]


@dataclass
class Service:
    """One app under uvicorn on a free loopback port; one worker unless told (`workers` > 1 needs PostgreSQL)."""

    name: str
    factory: str
    env: dict[str, str]
    log_file: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    process: subprocess.Popen | None = None
    peak_rss_mb: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "uvicorn", self.factory, "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--workers", str(self.workers), "--no-access-log", "--log-level", "warning"],
                env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = SLOW_START_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise BenchError(f"{self.name} exited during start-up; last lines of {self.log_file}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise BenchError(f"{self.name} not ready after {timeout:.0f}s; see {self.log_file}:\n{self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def rss_mb(self) -> tuple[float | None, float | None]:
        """(current, peak) resident set size from /proc; the kernel keeps the peak (VmHWM) for us. With several
        workers, of the largest process (a worker, not the supervisor): the target is per process."""
        if self.process is None or self.process.poll() is not None:
            return None, self.peak_rss_mb
        values: dict[str, float] = {}
        for pid in process_tree(self.process.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, rest = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        values[key] = max(values.get(key, 0.0), int(rest.split()[0]) / 1024)
            except OSError:
                continue
        if not values:
            return None, self.peak_rss_mb
        if "VmHWM" in values:
            self.peak_rss_mb = values["VmHWM"]
        return values.get("VmRSS"), self.peak_rss_mb

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.rss_mb()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())
