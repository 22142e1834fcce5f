"""In-process A/B of one operation: minutes, not the benchmark.

The app is called straight through ASGI (no sockets, no uvicorn, no load generator) by 16 concurrent
callers on one event loop, against throw-away PostgreSQL databases; the figure is the CPU time of this one
process per request, which is the service's own cost (and beside it, where /proc can tell, the CPU of the
PostgreSQL backends serving that database). It is for checking one change at a time (run it before and
after, on the same machine, minutes apart): the claims against the issue's targets come from `make bench` only.

    .venv/bin/python -m bench.inprocess school --schools 50 --requests 3000     (create incident)
    .venv/bin/python -m bench.inprocess floor
    .venv/bin/python -m bench.inprocess risk                                     (POST /incidents/{id}/assessments)
    .venv/bin/python -m bench.inprocess intake                                   (police POST /reports)
    .venv/bin/python -m bench.inprocess intake --profile intake.html             (pyinstrument, if installed)
    .venv/bin/python -m bench.inprocess list --requests 1000                     (police GET /reports, 1 and 50 rows)

The risk and intake bodies are the benchmark's own (`bench.run`), fitted to the app's OpenAPI document. The
list mode seeds a force's reports through intake, then alternates pages of each of `bench.run`'s list sizes
round by round (1, 50, 1, 50 ...) and gives each size's figure and their ratio, as the list_page phase does.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from bench import openapi
from bench.run import LIST_PAGE_SIZES, fresh_report, intake_template, risk_body
from bench.probes import CpuMeter, backends_of
from bench.stack import POSTGRES_ADMIN_URL, Database, Keys, police_env, register_school, school_env
from shared.migrations import upgrade

CREATE_BODY = {"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer", "image_nature": "potentially_illegal"}
URN, FORCE = "654321", "52"
Headers = list[tuple[bytes, bytes]]
# One request of a round, by its number: method, path, body, headers.
Call = tuple[str, str, bytes, Headers]


async def call(app: Any, method: str, path: str, body: bytes, headers: Headers) -> tuple[int, Headers, bytes]:
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:  # nobody disconnects: a second receive waits, as a live connection would
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer: dict[str, Any] = {"body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80), "state": {},
    }
    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


async def _drive(app: Any, requests: list[Call], expected: int, callers: int) -> None:
    pending = iter(requests)

    async def caller() -> None:
        for method, path, body, headers in pending:
            status, _, answer = await call(app, method, path, body, headers)
            if status != expected:
                raise RuntimeError(f"{method} {path} answered {status}: {answer[:300].decode(errors='replace')}")

    await asyncio.gather(*(caller() for _ in range(callers)))


def _json_headers(token: str | None = None, **extra: str) -> Headers:
    headers = [(b"content-type", b"application/json")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return headers + [(name.replace("_", "-").encode(), value.encode()) for name, value in extra.items()]


class Target:
    """An app, and the requests of one round (built before the round starts, outside the measured time).

    A target with several variants (the list's page sizes) measures each in turn within every round."""

    expected = 201
    variants: tuple[str, ...] = ("",)
    app: Any

    async def setup(self) -> None:
        """What the rounds need stored first (outside the measured time)."""

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        raise NotImplementedError


class Floor(Target):
    def __init__(self, database: Database) -> None:
        os.environ["BENCH_FLOOR_DATABASE_URL"] = database.async_url
        os.environ["BENCH_FLOOR_POOL_SIZE"] = "20"
        from bench.floor_app import create_app

        self.app = create_app()

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        return [("POST", "/incidents", json.dumps(CREATE_BODY).encode(), _json_headers())] * count


class SchoolCreate(Target):
    def __init__(self, database: Database, folder: Path, schools: int) -> None:
        from services.school_api.app import create_app
        from services.school_api.settings import SchoolSettings

        upgrade("school_api", database.async_url)
        keys = Keys(folder / "keys")
        os.environ.update(school_env(keys, database.async_url, "http://127.0.0.1:9", folder / "no-clients.json"))
        self.app = create_app(SchoolSettings(relay_enabled=False))
        self.tokens = [keys.school_token("dsl", f"{700000 + n:06d}") for n in range(schools)]

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        body = json.dumps(CREATE_BODY).encode()
        return [("POST", "/incidents", body, _json_headers(self.tokens[n % len(self.tokens)])) for n in range(count)]


class RiskAssessment(SchoolCreate):
    """Each request assesses an incident opened for it before the round (bench.run's risk body)."""

    def __init__(self, database: Database, folder: Path) -> None:
        super().__init__(database, folder, schools=1)

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        document = self.app.openapi()
        operation = openapi.find(document, "POST", "assessment", path_prefix="/incidents/{")
        assert operation is not None
        body = json.dumps(risk_body(document, operation)).encode()
        token = self.tokens[0]
        calls = []
        for _ in range(count):
            status, headers, answer = await call(self.app, "POST", "/incidents", json.dumps(CREATE_BODY).encode(), _json_headers(token))
            assert status == 201, answer
            tag = dict(headers)[b"etag"].decode()
            path = operation.url(**{operation.parameters("path")[0]["name"]: json.loads(answer)["id"]})
            calls.append(("POST", path, body, _json_headers(token, if_match=tag)))
        return calls


class PoliceIntake(Target):
    """A registered school's reports, each with its own Idempotency-Key (bench.run's intake body)."""

    def __init__(self, database: Database, folder: Path) -> None:
        from services.police_api.app import create_app
        from services.police_api.settings import PoliceSettings

        upgrade("police_api", database.async_url)
        keys = Keys(folder / "keys")
        env = police_env(keys, database.async_url)
        self.client = register_school(env, URN, FORCE, folder / "police-clients.json")
        os.environ.update(env)
        self.app = create_app(PoliceSettings())
        self.keys = keys
        self.token: str | None = None

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        if self.token is None:
            form = urllib.parse.urlencode({"grant_type": "client_credentials", **self.client}).encode()
            status, _, answer = await call(self.app, "POST", "/oauth/token", form, [(b"content-type", b"application/x-www-form-urlencoded")])
            assert status == 200, answer
            self.token = json.loads(answer)["access_token"]
        document = self.app.openapi()
        operation = openapi.find(document, "POST", "/reports")
        assert operation is not None
        template = intake_template(document, operation)
        calls = []
        for _ in range(count):
            body = fresh_report(template)
            calls.append(("POST", "/reports", json.dumps(body).encode(), _json_headers(self.token, idempotency_key=uuid.uuid4().hex)))
        return calls


class PoliceList(PoliceIntake):
    """An officer's pages of the force's incoming reports (`GET /reports?limit=N`), newest first, over reports
    the school sent through intake; the officer is `bench.run`'s (a supervisor of the force)."""

    expected = 200
    variants = tuple(str(size) for size in LIST_PAGE_SIZES)

    def __init__(self, database: Database, folder: Path, reports: int) -> None:
        super().__init__(database, folder)
        self.reports = reports
        self.officer = _json_headers(self.keys.police_token("supervisor", FORCE))

    async def setup(self) -> None:
        await _drive(self.app, await super().prepare(self.reports), 201, 16)

    async def prepare(self, count: int, variant: str = "") -> list[Call]:
        return [("GET", f"/reports?limit={variant}", b"", self.officer)] * count


def _target(name: str, database: Database, folder: Path, schools: int, reports: int) -> Target:
    if name == "list":
        return PoliceList(database, folder, reports)
    if name == "floor":
        return Floor(database)
    if name == "school":
        return SchoolCreate(database, folder, schools)
    if name == "risk":
        return RiskAssessment(database, folder)
    return PoliceIntake(database, folder)


async def measure(
    name: str, schools: int, reports: int, requests: int, rounds: int, callers: int, profile: Path | None
) -> dict[str, dict[str, list[float]]]:
    """CPU ms per request of every round, by variant: of this process ("service") and of the PostgreSQL
    backends serving its database ("postgresql", where /proc can tell)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-inprocess-"))
    database = Database("postgresql", name, folder)
    try:
        target = await asyncio.to_thread(_target, name, database, folder, schools, reports)
        lifespan: Callable[[Any], AbstractAsyncContextManager[None]] = target.app.router.lifespan_context
        async with lifespan(target.app):
            await target.setup()
            for variant in target.variants:  # warm caches and the pool
                await _drive(target.app, await target.prepare(min(300, requests), variant), target.expected, callers)
            cpu_ms: dict[str, dict[str, list[float]]] = {variant: {"service": [], "postgresql": []} for variant in target.variants}
            meter = CpuMeter(os.getpid(), own_backends=lambda: backends_of(POSTGRES_ADMIN_URL, database.db_name))
            profiler = _profiler() if profile else None
            for _ in range(rounds):
                for variant in target.variants:
                    calls = await target.prepare(requests, variant)
                    meter.start()
                    if profiler is not None:
                        profiler.start()
                    started = time.process_time()
                    await _drive(target.app, calls, target.expected, callers)
                    cpu_ms[variant]["service"].append((time.process_time() - started) / requests * 1000)
                    if profiler is not None:
                        profiler.stop()
                    if (figures := meter.stop(requests)) is not None:
                        cpu_ms[variant]["postgresql"].append(figures["postgresql_own_ms_per_request"])
            if profiler is not None and profile is not None:
                profile.write_text(profiler.output_html() if profile.suffix == ".html" else profiler.output_text(unicode=True, show_all=False))
        return cpu_ms
    finally:
        database.drop()


def _profiler() -> Any:
    from pyinstrument import Profiler  # a dev tool: pip install pyinstrument

    return Profiler(interval=0.0005, async_mode="disabled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=("school", "floor", "risk", "intake", "list"))
    parser.add_argument("--schools", type=int, default=50, help="school: the URNs the creates are spread over (1: one school)")
    parser.add_argument("--reports", type=int, default=120, help="list: the reports stored before the rounds")
    parser.add_argument("--requests", type=int, default=3000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile of the measured rounds (.html or text)")
    args = parser.parse_args()
    cpu_ms = asyncio.run(measure(args.target, args.schools, args.reports, args.requests, args.rounds, args.callers, args.profile))
    spread = {"school": f", {args.schools} school(s)", "list": f", {args.reports} reports"}.get(args.target, "")
    for variant, measured in cpu_ms.items():
        service, postgresql = measured["service"], measured["postgresql"]
        print(
            f"{args.target}{f' limit={variant}' if variant else ''} ({POSTGRES_ADMIN_URL.rsplit('@', 1)[-1]}{spread}, {args.callers} callers): "
            f"CPU per request, min of {args.rounds} rounds: {min(service):.3f} ms (rounds: {_listed(service)})"
            + (f"; its database's backends: {min(postgresql):.3f} ms (rounds: {_listed(postgresql)})" if postgresql else "")
        )
    if len(cpu_ms) == 2:
        (small, first), (large, second) = cpu_ms.items()
        for party in ("service", "postgresql"):
            if first[party]:
                ratios = _listed([b / a for a, b in zip(first[party], second[party], strict=True)])
                print(f"{party}: a {large}-row page costs {min(second[party]) / min(first[party]):.2f} x a {small}-row page "
                      f"(of the mins; round by round: {ratios})")


def _listed(values: list[float]) -> str:
    return ", ".join(f"{value:.3f}" for value in values)

if __name__ == "__main__":
    main()
