"""Real processes for the hand-off tests: both services under uvicorn, relays as `school-api relay`,
and a loopback proxy in front of the police that can hold a report's answer back from the relay."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from shared.db import create_engine
from tests.handoff.support import police_reports_for
from tests.processes import VENV_BIN, ServiceProcess, police_env, register_school, school_env
from tests.support import Keys, ThrowAwayDatabase, fresh_urn

FORCE = "52"


@dataclass
class Services:
    """Two throw-away databases, a registered school, and the processes (not started) that use them."""

    folder: Path
    keys: Keys
    school_db: ThrowAwayDatabase = field(init=False)
    police_db: ThrowAwayDatabase = field(init=False)
    urn: str = field(default_factory=fresh_urn)

    def __post_init__(self) -> None:
        self.relays: list[subprocess.Popen] = []
        self.school_db = ThrowAwayDatabase.at_head(f"handoff_school_{uuid.uuid4().hex[:6]}", "school_api", self.folder)
        try:
            self.police_db = ThrowAwayDatabase.at_head(f"handoff_police_{uuid.uuid4().hex[:6]}", "police_api", self.folder)
        except BaseException:
            self.school_db.drop()
            raise
        try:
            self.clients_file = self.folder / "police-clients.json"
            self.police = ServiceProcess("services.police_api.app", police_env(self.keys, self.police_db.url), self.folder / "police.log")
            register_school(self.police.env, self.urn, FORCE, self.clients_file)
        except BaseException:  # never leave throw-away databases behind
            self.school_db.drop()
            self.police_db.drop()
            raise

    def school_env(self, police_url: str | None = None, **settings: str) -> dict[str, str]:
        env = school_env(self.keys, self.school_db.url, police_url or self.police.url, self.clients_file)
        env.update({f"SCHOOL_API_{name.upper()}": value for name, value in settings.items()})
        return env

    def school(self, police_url: str | None = None, **settings: str) -> ServiceProcess:
        return ServiceProcess("services.school_api.app", self.school_env(police_url, **settings), self.folder / "school.log")

    def start_relay(self, police_url: str, **settings: str) -> subprocess.Popen:
        log = (self.folder / "relay.log").open("ab")
        relay = subprocess.Popen(
            [str(VENV_BIN / "school-api"), "relay"],
            env={**os.environ, **self.school_env(police_url, **settings)}, stdout=log, stderr=subprocess.STDOUT,
        )
        self.relays.append(relay)
        return relay

    def police_reports(self, school_incident_ids: list[str]) -> dict[str, int]:
        async def count() -> dict[str, int]:
            engine = create_engine(self.police_db.url, pool_size=1)
            try:
                return dict(await police_reports_for(engine, school_incident_ids))
            finally:
                await engine.dispose()

        return asyncio.run(count())

    def outbox_row(self, school_incident_id: str) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            engine = create_engine(self.school_db.url, pool_size=1)
            try:
                async with engine.connect() as connection:
                    row = (
                        await connection.execute(
                            select(OutboxMessage.state, OutboxMessage.lease_owner, OutboxMessage.idempotency_key)
                            .join(PoliceReferral, PoliceReferral.id == OutboxMessage.referral_id)
                            .where(PoliceReferral.incident_id == uuid.UUID(school_incident_id))
                        )
                    ).one()
                    return dict(row._mapping)
            finally:
                await engine.dispose()

        return asyncio.run(read())

    def close(self) -> None:
        for relay in self.relays:
            if relay.poll() is None:
                relay.send_signal(signal.SIGTERM)
                try:
                    relay.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    relay.kill()
                    relay.wait()
        self.police.stop()
        self.school_db.drop()
        self.police_db.drop()


@dataclass
class Exchange:
    at: float
    method: str
    path: str
    idempotency_key: str | None
    status: int
    body: bytes


class HoldingProxy:
    """Loopback HTTP proxy to the police. While `hold_reports` is set, a POST /reports is forwarded
    and answered by the police, then its answer is withheld from the caller until `release()`:
    the police have stored the report, the relay has not heard back."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.hold_reports = False
        self.police_answered = threading.Event()
        self._release = threading.Event()
        self.exchanges: list[Exchange] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                try:
                    answer = httpx.request(self.command, f"{proxy.upstream}{self.path}", content=body, headers=headers, timeout=30)
                except httpx.HTTPError:
                    self.send_error(502)
                    return
                proxy.exchanges.append(
                    Exchange(time.monotonic(), self.command, self.path, self.headers.get("Idempotency-Key"), answer.status_code, answer.content)
                )
                if proxy.hold_reports and self.command == "POST" and self.path == "/reports":
                    proxy.police_answered.set()
                    proxy._release.wait(timeout=120)
                    self.close_connection = True
                    return  # the answer never reaches the caller
                self.send_response(answer.status_code)
                for name in ("Content-Type", "Retry-After", "Location", "ETag"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def release(self) -> None:
        self.hold_reports = False
        self._release.set()

    def reports_sent(self) -> list[Exchange]:
        return [e for e in self.exchanges if (e.method, e.path) == ("POST", "/reports")]

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def referral_of(school_url: str, dsl: dict[str, str], incident_id: str) -> dict[str, Any]:
    listed = httpx.get(f"{school_url}/incidents/{incident_id}/referrals", headers=dsl, timeout=10)
    assert listed.status_code == 200, listed.text
    (referral,) = listed.json()["items"]
    return referral


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)


def services(folder: Path, keys: Keys) -> Iterator[Services]:
    running = Services(folder, keys)
    try:
        yield running
    finally:
        running.close()
