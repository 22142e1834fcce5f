"""`make bench`: the services against the bare stack (issue 7). See docs/performance.md.

    .venv/bin/python -m bench.run                     # PostgreSQL, growth 10k -> 100k, 1 vs 2 workers, about 8 minutes
    .venv/bin/python -m bench.run --full              # growth 10k -> 1,000,000 (make bench-full)
    .venv/bin/python -m bench.run --backend sqlite    # the same against SQLite files

Starts the floor (bench/floor_app.py), the police API and the school API as uvicorn processes (one
worker each; the `workers` phase adds a 1-worker and a 2-worker school API) on throw-away databases with
throw-away keys, drives load over 127.0.0.1 only, prints a table and writes JSON to bench/results/. Always
stops its processes and drops its databases.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import openapi
from bench.probes import CpuMeter, DiskProbe, backends_of
from bench.loadgen import Connection, LoadResult, Request, Response, closed_loop, open_loop, percentile
from bench.seed import SEED_YEAR, BASE_TIME, Seeder, enum_value
from bench.stack import (
    POSTGRES_ADMIN_URL, BenchError, Database, Keys, Service, get_json, police_env, postgres_free_connections, postgres_version, register_school, school_env,
)
from shared.concurrency import etag
from shared.encryption import KeyRing, install_data_keys
from shared.migrations import upgrade
from shared.pagination import encode_cursor

RESULTS_DIR = Path(__file__).resolve().parent / "results"
FORCE = "52"
URN = "654321"
NOW_ISO = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

TARGETS = {
    "create_ratio": 0.5, "create_p99_ms": 50.0, "handoff_p50_ms": 200.0, "handoff_p99_ms": 1000.0,
    "growth_ratio": 1.5, "rss_mb": 200.0, "workers_ratio": 1.6, "list_page_cost_ratio": 2.0,
}
# The list_page phase: a page of one row against a page of the default size, of each list below.
LIST_PAGE_SIZES = (1, 50)


def risk_body(document: dict[str, Any], operation: openapi.Operation) -> dict[str, Any]:
    """An adult involved (S-IMMEDIATE 1): the assessment that makes a police referral the rule (S-POLICE)."""
    return openapi.fit(document, operation.body_schema, {
        "immediate": {"adult_involved": True}, "factors": {}, "typology": "aggravated_adult_involved",
        "adult_involved": True, "recommendation": "refer_police_immediately",
    })


def intake_template(document: dict[str, Any], operation: openapi.Operation | None) -> dict[str, Any]:
    """A school's report of one pupil pictured, aged 14 (no name, no date of birth)."""
    return openapi.fit(document, operation.body_schema if operation else None, {
        "school_incident_id": str(uuid.uuid4()), "school_incident_reference": f"{URN}-2026-0001",
        "channel": "scpo", "disclosed_at": NOW_ISO, "referred_at": NOW_ISO, "image": {"nature": "unknown"},
        "people": [{"school_person_id": str(uuid.uuid4()), "kind": "pupil", "roles": ["pictured"],
                    "age_years": 14, "sex": "female"}],
        "referral_reasons": "Benchmark report.",
    })


def fresh_report(template: dict[str, Any]) -> dict[str, Any]:
    """The template as another incident's report: new school ids for the incident and its people."""
    body = dict(template, school_incident_id=str(uuid.uuid4()))
    if body.get("people"):
        body["people"] = [dict(person, school_person_id=str(uuid.uuid4())) for person in body["people"]]
    return body


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.databases: list[Database] = []
        self.services: list[Service] = []
        self.results: dict[str, Any] = {"operations": {}, "growth": {}, "notes": []}

    # ---------- the stack ----------
    def start_stack(self) -> None:
        backend = self.args.backend
        if backend == "postgresql":
            free = postgres_free_connections()
            needed = 3 * self.args.pool_size + 6  # three apps' pools (no overflow), seeding, sampling
            if free is not None and free < needed:
                self.note(f"PostgreSQL has {free} free connection slots and this run may need {needed}: other clients "
                          "share the server; lower --pool-size (the same for the floor and both services) if it fails")
        log(f"creating throw-away {backend} databases and keys in {self.folder}")
        self.school_db = self._database("school")
        self.police_db = self._database("police")
        self.floor_db = self._database("floor")
        upgrade("school_api", self.school_db.async_url)
        upgrade("police_api", self.police_db.async_url)
        self.keys = Keys(self.folder / "keys")
        clients_file = self.folder / "police-clients.json"
        penv = police_env(self.keys, self.police_db.async_url)
        self.client = register_school(penv, URN, FORCE, clients_file)
        pool = str(self.args.pool_size)
        penv["POLICE_API_DB_POOL_SIZE"] = pool
        self.floor = Service("floor", "bench.floor_app:create_app",
                             {"BENCH_FLOOR_DATABASE_URL": self.floor_db.async_url, "BENCH_FLOOR_POOL_SIZE": pool},
                             self.folder / "floor.log")
        self.police = Service("police_api", "services.police_api.app:create_app", penv, self.folder / "police.log")
        self.school = Service("school_api", "services.school_api.app:create_app",
                              {**school_env(self.keys, self.school_db.async_url, self.police.url, clients_file),
                               "SCHOOL_API_DB_POOL_SIZE": pool},
                              self.folder / "school.log")
        for service in (self.floor, self.police, self.school):
            self.services.append(service)
            service.start()
        for service in self.services:
            service.wait_ready()
        log(f"floor :{self.floor.port}  police :{self.police.port}  school :{self.school.port}  ready")
        from services.police_api.models import Base as PoliceBase  # noqa: PLC0415 - after the migrations ran
        from services.school_api.models import Base as SchoolBase  # noqa: PLC0415

        # The seeders seal what they insert with the services' own key rings, so the services read it.
        install_data_keys(SchoolBase.metadata, KeyRing.load(self.keys.path("school-data-keys.json")))
        install_data_keys(PoliceBase.metadata, KeyRing.load(self.keys.path("police-data-keys.json")))
        self.school_seeder = Seeder(self.school_db.sync_url, SchoolBase.metadata)
        self.police_seeder = Seeder(self.police_db.sync_url, PoliceBase.metadata)

    def _database(self, name: str) -> Database:
        database = Database(self.args.backend, name, self.folder)
        self.databases.append(database)
        return database

    def stop_stack(self) -> None:
        for seeder in ("school_seeder", "police_seeder"):
            if hasattr(self, seeder):
                getattr(self, seeder).dispose()
        for service in self.services:
            try:
                service.stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                log(f"stopping {service.name}: {exc}")
        for database in self.databases:
            try:
                database.drop()
            except Exception as exc:  # noqa: BLE001
                log(f"could not drop {database.name}: {exc}")

    # ---------- helpers ----------
    def op(self, key: str, label: str, **figures: Any) -> None:
        self.results["operations"].setdefault(key, {"label": label}).update(figures)

    def note(self, text: str) -> None:
        log(text)
        self.results["notes"].append(text)

    async def closed(self, port: int, make: Callable[[int], Request | None], expected: set[int], *,
                     phase: str = "", **kw: Any) -> LoadResult:
        profiler = self.start_profiler(port, phase)
        sampler = LockSampler(self.database_of(port)) if phase else None
        service = next(s for s in self.services if s.port == port)
        meter = CpuMeter(service.process.pid)
        # Counted over the measured seconds only, like the throughput: the meter starts when the warm-up ends.
        asyncio.get_running_loop().call_later(self.args.warmup, meter.start)
        try:
            result = await closed_loop(port, make, concurrency=self.args.concurrency, seconds=self.args.seconds,
                                       warmup=self.args.warmup, expected=expected, **kw)
            if phase and (cpu := meter.stop(result.ok + result.failed)) is not None:
                self.results.setdefault("cpu", {}).setdefault(phase, []).append(cpu)
            return result
        finally:
            self.finish_phase(phase, sampler, profiler)

    def finish_phase(self, phase: str, sampler: LockSampler | None, profiler: subprocess.Popen | None) -> None:
        if sampler is not None:
            waits = sampler.stop()
            if waits is not None:
                self.results.setdefault("lock_waits", {})[phase] = waits
        if profiler is not None:
            profiler.wait(timeout=60)

    def database_of(self, port: int) -> Database | None:
        by_port = {self.floor.port: self.floor_db, self.school.port: self.school_db, self.police.port: self.police_db}
        return by_port.get(port)

    def start_profiler(self, port: int, phase: str, seconds: float | None = None) -> subprocess.Popen | None:
        """--profile SERVICE:PHASE samples that service with py-spy during that phase's closed loop."""
        if not self.args.profile or not phase:
            return None
        wanted_service, _, wanted_phase = self.args.profile.partition(":")
        service = next((s for s in self.services if s.port == port), None)
        if service is None or service.name != wanted_service or (wanted_phase and wanted_phase != phase):
            return None
        py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
        if py_spy is None:
            self.note("--profile needs py-spy: .venv/bin/pip install py-spy")
            return None
        RESULTS_DIR.mkdir(exist_ok=True)
        out = RESULTS_DIR / f"profile-{service.name}-{phase}.txt"
        self.note(f"profiling {service.name} during {phase} with py-spy: {out}")
        return subprocess.Popen([py_spy, "record", "--pid", str(service.process.pid), "--duration",
                                 str(max(1, int(seconds or self.args.warmup + self.args.seconds))), "--rate", "200", "--format", "raw",
                                 "--nonblocking", "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def opened(self, port: int, make: Callable[[int], Request | None], expected: set[int], rate: float,
                     seconds: float | None = None, *, phase: str = "", **kw: Any) -> LoadResult:
        seconds = seconds or self.args.seconds
        profiler = self.start_profiler(port, phase, seconds)
        sampler = LockSampler(self.database_of(port)) if phase else None
        probe = DiskProbe(self.folder)
        try:
            result = await open_loop(port, make, rate=rate, seconds=seconds, expected=expected, **kw)
        finally:
            disk = probe.stop()
            self.finish_phase(phase, sampler, profiler)
        result.disk = disk
        return result

    async def call(self, port: int, request: Request) -> Response:
        connection = Connection(port)
        try:
            return await connection.send(request)
        finally:
            connection.close()

    # ---------- the measurements ----------
    async def measure(self) -> None:
        self.school_api = get_json(f"{self.school.url}/openapi.json")
        self.police_api = get_json(f"{self.police.url}/openapi.json")
        self.dsl = {"Authorization": f"Bearer {self.keys.school_token('dsl', URN)}"}
        self.officer = {"Authorization": f"Bearer {self.keys.police_token('supervisor', FORCE)}"}
        phases = {"ceiling": self.generator_ceiling, "create": self.create_incident, "risk": self.risk_assessment,
                  "handoff": self.handoff, "intake": self.police_intake, "list_page": self.list_page, "growth": self.growth,
                  "workers": self.workers}
        wanted = set(self.args.only.split(",")) if self.args.only else set(phases)
        if unknown := wanted - set(phases):
            raise BenchError(f"--only: unknown phase(s) {sorted(unknown)}; choose from {sorted(phases)}")
        self.floor_throughput = 0.0
        self.pool = []
        for name, phase in phases.items():
            if name in wanted:
                await phase()

    async def generator_ceiling(self) -> None:
        log("load generator ceiling: GET /noop on the floor app")
        result = await self.closed(self.floor.port, lambda i: Request("GET", "/noop"), {200})
        self.op("generator_ceiling", "load generator vs no-op endpoint", closed=result.summary())

    def create_body(self) -> dict[str, Any]:
        schema = openapi.find(self.school_api, "POST", "create_incident")
        preferred = {"disclosed_at": NOW_ISO, "disclosure_source": "peer", "image_nature": "potentially_illegal"}
        return openapi.fit(self.school_api, schema.body_schema if schema else None, preferred)

    async def create_incident(self) -> None:
        """The floor and the create rows in `--rounds` interleaved rounds (floor, one school, 50 schools, again):
        the machine's speed drifts by a third over minutes here, so each round's ratio is taken against the
        floor measured seconds before it, and the table gives the median round by round."""
        body = self.create_body()
        floor_request = Request.json("POST", "/incidents", body)
        school_request = Request.json("POST", "/incidents", body, self.dsl)
        self.pool: list[tuple[str, str]] = []

        def keep(_request: Request, response: Response) -> None:
            if response.status == 201:
                self.pool.append((response.json()["id"], response.headers.get("etag", etag(1))))

        urns = [f"{700000 + n:06d}" for n in range(self.args.schools)]
        spread = [Request.json("POST", "/incidents", body, {"Authorization": f"Bearer {self.keys.school_token('dsl', urn)}"})
                  for urn in urns]
        rows: dict[str, list[dict[str, Any]]] = {"floor_create": [], "create_incident": [], "create_incident_many_schools": []}
        for number in range(1, self.args.rounds + 1):
            log(f"round {number}/{self.args.rounds}: floor, then create incident for one school"
                + (f", then over {len(urns)} schools" if len(urns) > 1 else ""))
            floor = await self.measure_pair(self.floor.port, lambda i: floor_request, {201}, "floor_create")
            rows["floor_create"].append(floor)
            one = await self.measure_pair(self.school.port, lambda i: school_request, {201}, "create_incident", on_response=keep)
            rows["create_incident"].append(one | {"ratio_to_floor": _ratio(one, floor)})
            if len(urns) > 1:
                # A national deployment: many schools at once, so no two requests share a school's reference counter.
                many = await self.measure_pair(self.school.port, lambda i: spread[i % len(spread)], {201},
                                               "create_incident_many_schools")
                rows["create_incident_many_schools"].append(many | {"ratio_to_floor": _ratio(many, floor)})
        labels = {"floor_create": "floor: validate + insert one row",
                  "create_incident": "school: create incident (auth + validation + audit), one school",
                  "create_incident_many_schools": f"school: create incident, {len(urns)} schools round-robin"}
        for key, measured in rows.items():
            if measured:
                rounds = f" (median of {len(measured)} rounds)" if len(measured) > 1 else ""
                self.op(key, labels[key] + rounds, **_median_round(measured))
        self.floor_throughput = self.results["operations"]["floor_create"]["closed"]["throughput_per_s"]
        failures = [row["closed"]["first_failure"] for rows_of in rows.values() for row in rows_of if row["closed"]["first_failure"]]
        if failures:
            self.note(f"create incident failures: {failures[0]}")

    async def measure_pair(self, port: int, make: Callable[[int], Request | None], expected: set[int], phase: str,
                           **kw: Any) -> dict[str, Any]:
        """One closed loop (throughput at saturation), a second's rest, one open loop (latency at the fixed rate)."""
        closed = await self.closed(port, make, expected, phase=phase, **kw)
        await asyncio.sleep(1)
        opened = await self.opened(port, make, expected, self.args.rate, **kw)
        return {"closed": closed.summary(), "open": opened.summary() | {"disk": opened.disk}}

    # ---------- many processes (issue 15) ----------
    async def workers(self) -> None:
        """Create incident against the school API with one uvicorn worker and with two, on their own database.

        Both services run side by side (the idle one only polls its relay) with the same settings, metrics in
        multiprocess mode included, so the worker count is the only difference; the rounds alternate 1, 2, 1, 2
        so the machine's drift falls on both alike, and each round's ratio is 2 workers over the 1 worker
        measured seconds before it."""
        if self.args.backend != "postgresql":
            self.results["workers"] = {"available": False, "reason": "several workers need PostgreSQL (SQLite has one writer)"}
            return
        database = self._database("workers")
        await asyncio.to_thread(upgrade, "school_api", database.async_url)  # alembic runs its own event loop
        env = {**self.school.env, "SCHOOL_API_DATABASE_URL": database.async_url}
        services = {}
        for count in (1, 2):
            metrics_dir = self.folder / f"prometheus-{count}w"
            metrics_dir.mkdir()
            services[count] = Service(f"school_api_{count}w", self.school.factory,
                                      {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                                      self.folder / f"school-{count}w.log", workers=count)
            self.services.append(services[count])
            services[count].start()
        for service in services.values():
            service.wait_ready()
        body = self.create_body()
        urns = [f"{800000 + n:06d}" for n in range(max(1, self.args.schools))]
        shapes = {
            "many_schools": [Request.json("POST", "/incidents", body, {"Authorization": f"Bearer {self.keys.school_token('dsl', urn)}"})
                             for urn in urns],
            "one_school": [Request.json("POST", "/incidents", body, self.dsl)],
        }
        rounds: dict[str, list[dict[str, Any]]] = {f"{shape}_{count}w": [] for shape in shapes for count in (1, 2)}
        load: list[float] = []
        for number in range(1, self.args.rounds + 1):
            for shape, requests in shapes.items():
                for count, service in services.items():
                    log(f"workers round {number}/{self.args.rounds}: {shape.replace('_', ' ')}, {count} worker(s)")
                    row = await self.workers_loop(service, requests, database.db_name)
                    load.append(row["loadavg_1m"])
                    rounds[f"{shape}_{count}w"].append(row)
                    await asyncio.sleep(1)
        for count in (2, 1):
            services[count].stop()
        self.results["workers"] = {"schools": len(urns), "loadavg_1m": {"min": min(load), "max": max(load)},
                                   "rounds": rounds, "summary": _workers_summary(rounds)}

    async def workers_loop(self, service: Service, requests: list[Request], database: str) -> dict[str, Any]:
        """One closed loop, bounded in time and in count, with the CPU of the service's processes (the uvicorn
        supervisor and its workers), of this database's PostgreSQL backends and of the whole machine."""
        meter = CpuMeter(service.process.pid, own_backends=lambda: backends_of(POSTGRES_ADMIN_URL, database))
        asyncio.get_running_loop().call_later(self.args.warmup, meter.start)
        cap = self.args.workers_requests

        def make(i: int) -> Request | None:
            return requests[i % len(requests)] if i < cap else None

        result = await closed_loop(service.port, make, concurrency=self.args.concurrency, seconds=self.args.seconds,
                                   warmup=self.args.warmup, expected={201}, stagger=self.args.connect_stagger_ms / 1000)
        cpu = meter.stop(result.ok + result.failed)
        if result.first_failure:
            self.note(f"workers: {service.name}: {result.first_failure}")
        return {"closed": result.summary(), "cpu": cpu,
                "loadavg_1m": float(Path("/proc/loadavg").read_text().split()[0])}

    def find_risk_operation(self) -> openapi.Operation | None:
        return (openapi.find(self.school_api, "POST", "risk", path_prefix="/incidents/{")
                or openapi.find(self.school_api, "POST", "assessment", path_prefix="/incidents/{"))

    async def risk_assessment(self) -> None:
        operation = self.find_risk_operation()
        if operation is None:
            self.op("risk_assessment", "school: record a risk assessment", available=False,
                    reason="not available: no POST /incidents/{id}/…risk…/…assessment… in the school's OpenAPI")
            return
        body = self.risk_body(operation)
        param = operation.parameters("path")[0]["name"]
        pool = list(self.pool)

        def make(i: int) -> Request | None:
            if not pool:
                return None
            incident_id, tag = pool.pop()
            return Request.json(operation.method, operation.url(**{param: incident_id}), body,
                                {**self.dsl, "If-Match": tag})

        probe = await self.call(self.school.port, make(0))
        if probe.status >= 300:
            self.op("risk_assessment", "school: record a risk assessment", available=False,
                    reason=f"not available: {operation!r} answered HTTP {probe.status} to a minimal body: "
                           f"{probe.body[:300].decode(errors='replace')}")
            return
        expected = {probe.status}
        log(f"school: risk assessment {operation!r} over {len(pool)} fresh incidents")
        closed = await self.closed(self.school.port, make, expected, phase="risk_assessment")
        opened = await self.opened(self.school.port, make, expected, self.args.rate) if pool else None
        ratio = closed.throughput / self.floor_throughput if self.floor_throughput else None
        self.op("risk_assessment", f"school: record a risk assessment ({operation.method} {operation.path})",
                available=True, closed=closed.summary(), open=opened.summary() if opened else None,
                ratio_to_floor=round(ratio, 3) if ratio else None)

    def risk_body(self, operation: openapi.Operation) -> dict[str, Any]:
        return risk_body(self.school_api, operation)

    def handoff_preparation(self, incident_id: str, tag: str) -> list[tuple[str, Request]]:
        """What the workflow asks before a decision, as far as this service has it (discovered, in order):
        the action log (S-DSL: DSL and senior management informed), then the risk assessment."""
        steps = []
        actions = openapi.find(self.school_api, "POST", "/actions", path_prefix="/incidents/{")
        if actions is not None:
            url = actions.url(**{actions.parameters("path")[0]["name"]: incident_id})
            for kind in ("dsl_informed", "senior_management_informed"):
                body = openapi.fit(self.school_api, actions.body_schema, {
                    "kind": kind, "taken": True, "performed_by": "bench-dsl", "occurred_at": NOW_ISO})
                steps.append((f"action {kind}", Request.json("POST", url, body, {**self.dsl, "If-Match": tag})))
        # Discovered here too, not left by the risk phase: `--only handoff` runs without it.
        op = self.find_risk_operation()
        if op is not None:
            url = op.url(**{op.parameters("path")[0]["name"]: incident_id})
            steps.append(("risk assessment", Request.json(op.method, url, self.risk_body(op), {**self.dsl, "If-Match": tag})))
        return steps

    async def handoff(self) -> None:
        log(f"hand-off: {self.args.handoffs} decisions, one at a time, relay idle poll at its default")
        decide = openapi.find(self.school_api, "POST", "/decision")
        if decide is None:
            self.op("handoff", "hand-off end to end", available=False, reason="not available: no decision endpoint")
            return
        decision = openapi.fit(self.school_api, decide.body_schema, {
            "outcome": "refer_police", "police_channel": "scpo", "reasons": "Benchmark: potentially illegal image."})
        body = self.create_body()
        connection, poller = Connection(self.school.port), Connection(self.school.port)
        visible_ms: list[float] = []
        sent: dict[str, float] = {}
        failure = None
        try:
            for index in range(self.args.handoffs):
                created = await connection.send(Request.json("POST", "/incidents", body, self.dsl))
                if created.status != 201:
                    failure = f"create answered {created.status}"
                    break
                incident_id, tag = created.json()["id"], created.headers.get("etag", etag(1))
                for step_name, request in self.handoff_preparation(incident_id, tag):
                    answer = await connection.send(request)
                    if answer.status >= 300:
                        failure = f"{step_name} answered HTTP {answer.status}: {answer.body[:300].decode(errors='replace')}"
                        break
                if failure:
                    break
                current = await connection.send(Request("GET", f"/incidents/{incident_id}", None, tuple(self.dsl.items())))
                tag = current.headers.get("etag", tag)
                await asyncio.sleep(0.2 + (index % 5) * 0.05)  # the relay is idle when the decision lands
                started_wall, started = time.time(), time.perf_counter()
                decided = await connection.send(Request.json(
                    "POST", decide.url(incident_id=incident_id), decision, {**self.dsl, "If-Match": tag}))
                if decided.status != 201:
                    failure = f"decision answered HTTP {decided.status}: {decided.body[:300].decode(errors='replace')}"
                    break
                sent[incident_id] = started_wall
                deadline = started + 10
                while time.perf_counter() < deadline:
                    answer = await poller.send(Request("GET", f"/incidents/{incident_id}/referrals", None, tuple(self.dsl.items())))
                    referrals = answer.json()["items"] if answer.status == 200 else []
                    if referrals and referrals[0].get("delivery_state") == "delivered" and referrals[0].get("police_reference"):
                        visible_ms.append((time.perf_counter() - started) * 1000)
                        break
                    await asyncio.sleep(0.005)
                else:
                    failure = "a referral was not delivered within 10 s"
                    visible_ms.append(10_000.0)
        finally:
            connection.close()
            poller.close()
        stored_ms = self.police_stored_ms(sent)
        figures: dict[str, Any] = {"available": failure is None or bool(visible_ms), "samples": len(visible_ms)}
        for name, values in (("stored", stored_ms), ("visible_to_school", visible_ms)):
            ordered = sorted(values)
            figures[name] = {"p50_ms": _r(percentile(ordered, 0.5)), "p99_ms": _r(percentile(ordered, 0.99)),
                             "max_ms": _r(ordered[-1] if ordered else None)}
        if failure:
            figures["reason"] = failure
            self.note(f"hand-off: {failure}")
        self.op("handoff", "hand-off: decision → police report stored → visible to the school", **figures)

    def police_stored_ms(self, sent: dict[str, float]) -> list[float]:
        """Decision sent → the police's receipt time of the stored report (read back from its database)."""
        from sqlalchemy import select  # noqa: PLC0415

        table = self.police_seeder.metadata.tables["school_reports"]
        out = []
        with self.police_seeder.engine.connect() as connection:
            for incident_id, started in sent.items():
                received = connection.scalar(
                    select(table.c.received_at).where(table.c.school_incident_id == uuid.UUID(incident_id)))
                if received is not None:
                    out.append((received.timestamp() - started) * 1000)
        return out

    def client_token(self) -> dict[str, str]:
        import urllib.parse  # noqa: PLC0415
        import urllib.request  # noqa: PLC0415

        form = urllib.parse.urlencode({"grant_type": "client_credentials", **self.client}).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{self.police.url}/oauth/token", data=form), timeout=10) as answer:
            return {"Authorization": f"Bearer {json.loads(answer.read())['access_token']}"}

    def intake_factory(self) -> Callable[[int], Request]:
        template = intake_template(self.police_api, openapi.find(self.police_api, "POST", "/reports"))
        token = self.client_token()
        run = uuid.uuid4().hex[:8]

        def make(i: int) -> Request:
            return Request.json("POST", "/reports", fresh_report(template),
                                {**token, "Idempotency-Key": f"bench-{run}-{i}-{uuid.uuid4().hex[:6]}"})

        return make

    async def police_intake(self) -> None:
        log("police: intake POST /reports (closed loop, then open loop)")
        make = self.intake_factory()
        probe = await self.call(self.police.port, make(0))
        if probe.status != 201:
            self.op("police_intake", "police: intake of a school report", available=False,
                    reason=f"not available: HTTP {probe.status}: {probe.body[:300].decode(errors='replace')}")
            return
        closed = await self.closed(self.police.port, make, {201}, phase="police_intake")
        opened = await self.opened(self.police.port, make, {201}, self.args.rate)
        ratio = closed.throughput / self.floor_throughput if self.floor_throughput else None
        self.op("police_intake", "police: intake of a school report (Idempotency-Key, school_client token)",
                closed=closed.summary(), open=opened.summary(), ratio_to_floor=round(ratio, 3) if ratio else None)

    # ---------- list pages (issue 15) ----------
    async def list_page(self) -> None:
        """A 1-row page against a 50-row page of the school's incident list and the police's report list, closed
        loop, in interleaved rounds (1, 50, 1, 50 …) so the machine's drift falls on both sizes alike. Each size's
        figures are the median round; the cost ratio is the 1-row throughput over the 50-row throughput (how many
        1-row pages one 50-row page costs), taken round by round. Before each loop one probe request counts the
        audit rows a page of that size writes."""
        needed = max(LIST_PAGE_SIZES) + 10
        # The phases before wrote thousands of rows within seconds; autovacuum had not yet analysed them.
        self.school_seeder.analyze()
        self.police_seeder.analyze()
        school_rows = self.count(self.school_seeder, "incidents", f"WHERE school_urn = '{URN}'")
        police_rows = self.count(self.police_seeder, "school_reports", f"WHERE force_code = '{FORCE}'")
        if min(school_rows, police_rows) < needed:
            self.seed_to(max(self.count(self.school_seeder, "incidents"), self.count(self.police_seeder, "police_incidents")) + needed)
        lists = {
            "school_incidents": (self.school, self.school_seeder, "/incidents", tuple(self.dsl.items())),
            "police_reports": (self.police, self.police_seeder, "/reports", tuple(self.officer.items())),
        }
        rounds: dict[str, dict[int, list[dict[str, Any]]]] = {name: {size: [] for size in LIST_PAGE_SIZES} for name in lists}
        for number in range(1, self.args.rounds + 1):
            for name, (service, seeder, path, headers) in lists.items():
                for size in LIST_PAGE_SIZES:
                    log(f"list page round {number}/{self.args.rounds}: {name}, limit={size}")
                    request = Request("GET", f"{path}?limit={size}", None, headers)
                    before = self.count(seeder, "audit_entries")
                    probe = await self.call(service.port, request)
                    audit_rows = self.count(seeder, "audit_entries") - before
                    shown = len(probe.json()["items"]) if probe.status == 200 else None
                    phase = f"list_{name}_{size}"
                    closed = await self.closed(service.port, lambda i, request=request: request, {200}, phase=phase)
                    rounds[name][size].append({"closed": closed.summary(), "rows_shown": shown, "audit_rows_per_page": audit_rows,
                                               "cpu": (self.results.get("cpu", {}).get(phase) or [None])[-1]})
                    if closed.first_failure:
                        self.note(f"list page {name} limit={size}: {closed.first_failure}")
                    await asyncio.sleep(1)
        self.results["list_page"] = {"sizes": list(LIST_PAGE_SIZES), "rounds": rounds, "summary": _list_page_summary(rounds)}

    # ---------- growth ----------
    def count(self, seeder: Seeder, table_name: str, where: str = "") -> int:
        from sqlalchemy import text  # noqa: PLC0415

        with seeder.engine.connect() as connection:
            return connection.scalar(text(f'SELECT count(*) FROM "{table_name}" {where}'))

    def seed_to(self, level: int) -> None:
        started = time.perf_counter()
        school_incidents = self.school_seeder.metadata.tables["incidents"]
        have = self.count(self.school_seeder, "incidents")
        if level > have:
            offset = self.seeded_school = getattr(self, "seeded_school", 0)
            self.school_seeder.insert("incidents", level - have, {
                "school_urn": lambda i: URN,
                "reference": lambda i: f"{URN}-{SEED_YEAR}-{offset + i:07d}",
                "status": lambda i: enum_value(school_incidents, "status", "open"),
                "disclosure_source": lambda i: enum_value(school_incidents, "disclosure_source", "peer"),
                "image_nature": lambda i: enum_value(school_incidents, "image_nature", "unknown"),
                "created_by": lambda i: "bench-seed", "created_by_role": lambda i: "dsl",
                "created_at": lambda i: _seed_time(offset + i), "updated_at": lambda i: _seed_time(offset + i),
                "disclosed_at": lambda i: _seed_time(offset + i), "narrative": lambda i: None,
            })
            self.seeded_school = offset + level - have
        police_tables = self.police_seeder.metadata.tables
        have = self.count(self.police_seeder, "police_incidents")
        if level > have:
            offset = self.seeded_police = getattr(self, "seeded_police", 0)
            n = level - have
            incidents = police_tables["police_incidents"]
            ids = self.police_seeder.insert("police_incidents", n, {
                "force_code": lambda i: FORCE, "reference": lambda i: f"{FORCE}-{SEED_YEAR}-{offset + i:08d}",
                "classification": lambda i: enum_value(incidents, "classification", "youth_produced_sexual_imagery"),
                "status": lambda i: enum_value(incidents, "status", "open"),
                "created_at": lambda i: _seed_time(offset + i), "updated_at": lambda i: _seed_time(offset + i),
            }, keep="id")
            reports = police_tables["school_reports"]
            self.police_seeder.insert("school_reports", n, {
                "force_code": lambda i: FORCE, "client_id": lambda i: self.client["client_id"],
                "school_urn": lambda i: URN, "school_incident_reference": lambda i: f"{URN}-{SEED_YEAR}-{offset + i:07d}",
                "channel": lambda i: enum_value(reports, "channel", "scpo"), "content": lambda i: {},
                "police_incident_id": lambda i: ids[i], "received_at": lambda i: _seed_time(offset + i),
                "updated_at": lambda i: _seed_time(offset + i),
            })
            if "idempotency_records" in police_tables:
                self.police_seeder.insert("idempotency_records", n, {
                    "client_id": lambda i: self.client["client_id"], "key": lambda i: f"seed-{offset + i}",
                    "request_hash": lambda i: "0" * 64, "state": lambda i: "completed", "locked_until": lambda i: None,
                    "response_status": lambda i: 201, "response_body": lambda i: {},
                    "created_at": lambda i: _seed_time(offset + i), "expires_at": lambda i: datetime(2099, 1, 1, tzinfo=UTC),
                })
            parents = {"police_incidents": ids}
            person_tables = [t for t in self.police_seeder.metadata.sorted_tables if t.name in ("persons", "person_links")]
            for table in person_tables or [t for t in self.police_seeder.metadata.sorted_tables if "person" in t.name]:
                try:
                    kept = self.police_seeder.insert(table.name, n, {
                        name: (lambda i, name=name: FORCE) for name in ("force_code",) if name in table.columns
                    }, parents=parents, keep="id" if "id" in table.columns else None)
                    parents[table.name] = kept
                except Exception as exc:  # noqa: BLE001 - the lookup row says why
                    self.note(f"seeding {table.name} failed ({type(exc).__name__}: {str(exc)[:200]})")
            self.seeded_police = offset + n
        timings = {**self.school_seeder.timings, **self.police_seeder.timings}
        log(f"seeded to {level:,} incidents/reports/persons in {time.perf_counter() - started:.1f}s "
            f"({', '.join(f'{name} {seconds:.1f}s' for name, seconds in timings.items())})")

    def deep_cursor(self, seeder: Seeder, table_name: str, tenant_column: str, tenant: str) -> str | None:
        """The cursor of the row at 90 % depth, in the services' own cursor format."""
        from sqlalchemy import select  # noqa: PLC0415

        table = seeder.metadata.tables[table_name]
        total = self.count(seeder, table_name, f"WHERE {tenant_column} = '{tenant}'")
        query = (select(table.c.created_at, table.c.id).where(table.c[tenant_column] == tenant)
                 .order_by(table.c.created_at.desc(), table.c.id.desc()).offset(int(total * 0.9)).limit(1))
        with seeder.engine.connect() as connection:
            row = connection.execute(query).first()
        return encode_cursor(row.created_at, row.id) if row else None

    def lookup_factory(self) -> tuple[Callable[[int], Request] | None, str]:
        operation = None
        for candidate in openapi.operations(self.police_api):
            if "repeat" in f"{candidate.path} {candidate.operation_id}".lower() and candidate.method in ("GET", "POST"):
                operation = candidate
                break
        if operation is None:
            # No route of its own: the P-REPEAT finding may be part of a read (for example the routing assessment).
            for candidate in openapi.operations(self.police_api):
                if candidate.method == "GET" and "repeat" in json.dumps(self.response_schema(candidate)).lower():
                    operation = candidate
                    break
        if operation is None:
            return None, "not available: no repeat-offender operation (nor a read that reports repeats) in the police OpenAPI"
        from sqlalchemy import select  # noqa: PLC0415

        tables = self.police_seeder.metadata.tables
        values: dict[str, Any] = {}
        for param in operation.parameters("path"):
            name = param["name"]
            with self.police_seeder.engine.connect() as connection:
                if name == "incident_id" and "person_links" in tables:  # an incident with people linked to it
                    values[name] = connection.scalar(select(tables["person_links"].c.incident_id).limit(1))
                elif name == "incident_id":
                    values[name] = connection.scalar(select(tables["police_incidents"].c.id).limit(1))
                elif name == "person_id" and "persons" in tables:
                    values[name] = connection.scalar(select(tables["persons"].c.id).limit(1))
                else:
                    return None, f"not available: cannot find a record for path parameter {name} of {operation!r}"
        query = "&".join(f"{p['name']}={openapi.example(self.police_api, p.get('schema', {}), p['name'])}"
                         for p in operation.parameters("query") if p.get("required"))
        path = operation.url(**values) + (f"?{query}" if query else "")
        body = openapi.fit(self.police_api, operation.body_schema, {}) if operation.body_schema else None

        def make(i: int) -> Request:
            if body is not None:
                return Request.json(operation.method, path, body, self.officer)
            return Request(operation.method, path, None, tuple(self.officer.items()))

        return make, repr(operation)

    def response_schema(self, operation: openapi.Operation) -> dict[str, Any]:
        """The 200 response schema with its first level of references resolved (enough to find a field name)."""
        content = operation.spec.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        schema = openapi.resolve(self.police_api, content.get("schema", {}))
        properties = {key: openapi.resolve(self.police_api, value) for key, value in schema.get("properties", {}).items()}
        return {"properties": properties}

    async def growth(self) -> None:
        levels = [10_000, 1_000_000] if self.args.full else [10_000, self.args.growth_max]
        seconds = self.args.growth_seconds
        intake = self.intake_factory()
        lookup, lookup_label = None, ""
        per_level: dict[str, dict[str, Any]] = {}
        for level in levels:
            self.seed_to(level)
            if lookup is None:
                lookup, lookup_label = self.lookup_factory()
            school_deep = self.deep_cursor(self.school_seeder, "incidents", "school_urn", URN)
            police_deep = self.deep_cursor(self.police_seeder, "police_incidents", "force_code", FORCE)
            school_get = tuple(self.dsl.items())
            police_get = tuple(self.officer.items())
            cases: dict[str, Callable[[int], Request] | None] = {
                "school_list_first": lambda i: Request("GET", "/incidents?limit=50", None, school_get),
                "school_list_deep": school_deep and (
                    lambda i: Request("GET", f"/incidents?limit=50&cursor={school_deep}", None, school_get)),
                "police_list_first": lambda i: Request("GET", "/incidents?limit=50", None, police_get),
                "police_list_deep": police_deep and (
                    lambda i: Request("GET", f"/incidents?limit=50&cursor={police_deep}", None, police_get)),
                "police_intake": intake,
                "repeat_offender_lookup": lookup,
            }
            for name, make in cases.items():
                if make is None:
                    continue
                port = self.school.port if name.startswith("school") else self.police.port
                expected = {201} if name == "police_intake" else {200}
                # One client back to back: the cost of one request at this data size, without a queue in front of
                # it (a saturated service would report its queue, not the data's growth).
                phase = f"growth_{name}_{level}"
                profiler = self.start_profiler(port, phase, seconds)
                sampler = LockSampler(self.database_of(port))
                result = await closed_loop(port, make, concurrency=1, seconds=seconds, warmup=1.0, expected=expected)
                waits = sampler.stop()
                if waits is not None:
                    self.results.setdefault("lock_waits", {})[phase] = waits
                if profiler is not None:
                    profiler.wait(timeout=60)
                per_level.setdefault(name, {})[str(level)] = result.summary()
                if result.failed:
                    self.note(f"growth {name} at {level:,}: {result.first_failure}")
                log(f"  {name:24s} at {level:>9,}: p50 {result.summary()['p50_ms']} ms  p99 {result.summary()['p99_ms']} ms")
        low, high = str(levels[0]), str(levels[-1])
        for name, by_level in per_level.items():
            if low in by_level and high in by_level and by_level[low]["p50_ms"] and by_level[high]["p50_ms"]:
                by_level["ratio_p50"] = round(by_level[high]["p50_ms"] / by_level[low]["p50_ms"], 2)
                by_level["ratio_p99"] = round(by_level[high]["p99_ms"] / by_level[low]["p99_ms"], 2)
        if lookup is None:
            per_level["repeat_offender_lookup"] = {"available": False, "reason": lookup_label}
        else:
            per_level.setdefault("repeat_offender_lookup", {})["operation"] = lookup_label
        self.results["growth"] = {"levels": levels, "mode": "closed loop, 1 client", "seconds": seconds, "operations": per_level}


class LockSampler:
    """Samples pg_stat_activity every 20 ms: how many of the service's sessions wait on a lock, and which kind.

    `transactionid`/`tuple` waits are row locks (for example a counter row), `advisory` the audit chain's lock.
    Reported per phase as the mean number of waiting sessions, the evidence for where concurrency is lost.
    """

    def __init__(self, database: Database | None) -> None:
        self.samples = 0
        self.waits: Counter[str] = Counter()
        self.active = 0
        self.statements: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = None
        if database is not None and database.backend == "postgresql":
            self.db_name = database.db_name
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import psycopg  # noqa: PLC0415

        from bench.stack import POSTGRES_ADMIN_URL  # noqa: PLC0415

        try:
            connection = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:  # no free connection slot: the phase runs unsampled
            log(f"lock sampler off for this phase: {str(exc).strip().splitlines()[-1]}")
            return
        with connection:
            while not self._stop.wait(0.02):
                rows = connection.execute(
                    "SELECT coalesce(wait_event_type, 'cpu'), coalesce(wait_event, ''), state, left(query, 160) "
                    "FROM pg_stat_activity WHERE datname = %s AND state <> 'idle'", (self.db_name,)).fetchall()
                self.samples += 1
                for kind, event, state, query in rows:
                    self.active += 1
                    if kind == "Lock":
                        self.waits[event] += 1
                    if state == "active":
                        self.statements[" ".join(query.split())] += 1

    def stop(self) -> dict[str, float] | None:
        if self._thread is None:
            return None
        self._stop.set()
        self._thread.join(timeout=5)
        n = max(1, self.samples)
        return {"mean_active_sessions": round(self.active / n, 2),
                **{f"mean_waiting_on_{event}": round(count / n, 2) for event, count in self.waits.items()},
                "busiest_statements": {query: round(count / n, 2) for query, count in self.statements.most_common(4)}}


def _seed_time(index: int) -> datetime:
    from datetime import timedelta  # noqa: PLC0415

    return BASE_TIME - timedelta(seconds=index)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _p99_beside_the_disk(entry: dict[str, Any], floor: dict[str, Any]) -> str:
    """Each round's p99 with the disk's slow flushes in that open loop, and the floor's p99 in the same rounds.

    A WAL flush that stalls holds every commit in flight, the floor's as much as the service's; this says how
    much of a p99 is the disk's. The verdict itself is on the median of all rounds, stalls included."""
    rounds = entry.get("rounds") or []
    parts = [f"{row['open']['p99_ms']} ms ({row['open']['disk']['over_20ms']} slow flushes, slowest {row['open']['disk']['max_ms']} ms)"
             for row in rounds]
    detail = "rounds: " + "; ".join(parts)
    if floor.get("rounds"):
        detail += "; the floor's p99 in the same rounds: " + ", ".join(f"{row['open']['p99_ms']} ms" for row in floor["rounds"])
    clean = [row["open"]["p99_ms"] for row in rounds if row["open"]["disk"]["over_20ms"] == 0]
    if clean:
        detail += f"; median p99 of the rounds without a slow flush: {_median(clean)} ms"
    return f"({detail})"


def _ratio(row: dict[str, Any], floor: dict[str, Any]) -> float | None:
    base = floor["closed"]["throughput_per_s"]
    return round(row["closed"]["throughput_per_s"] / base, 3) if base else None


def _median(values: list[float]) -> float | None:
    ordered = sorted(value for value in values if value is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else round((ordered[middle - 1] + ordered[middle]) / 2, 3)


def _workers_summary(rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per shape and worker count the median round; per shape the median of the rounds' 2w/1w ratios."""
    summary: dict[str, Any] = {}
    for key, measured in rounds.items():
        cpus = [row["cpu"] for row in measured if row["cpu"]]
        summary[key] = {name: _median([row["closed"][name] for row in measured])
                        for name in ("throughput_per_s", "p50_ms", "p99_ms")}
        summary[key]["failed"] = sum(row["closed"]["failed"] for row in measured)
        summary[key]["cpu"] = {name: _median([cpu[name] for cpu in cpus]) for name in cpus[0]
                               if name != "service_process_cores"} if cpus else None
        if cpus:
            summary[key]["cpu"]["service_process_cores"] = [cpu["service_process_cores"] for cpu in cpus]
    for shape in ("many_schools", "one_school"):
        pairs = zip(rounds[f"{shape}_1w"], rounds[f"{shape}_2w"], strict=True)
        ratios = [round(two["closed"]["throughput_per_s"] / one["closed"]["throughput_per_s"], 3)
                  for one, two in pairs if one["closed"]["throughput_per_s"]]
        summary[f"{shape}_ratio"] = {"median": _median(ratios), "rounds": ratios}
    return summary


def _list_page_summary(rounds: dict[str, dict[int, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Per list and page size the median round; per list the cost ratio (largest over smallest page) round by round."""
    small, large = min(LIST_PAGE_SIZES), max(LIST_PAGE_SIZES)
    summary: dict[str, Any] = {}
    for name, by_size in rounds.items():
        entry: dict[str, Any] = {}
        for size, measured in by_size.items():
            entry[str(size)] = {
                **{figure: _median([row["closed"][figure] for row in measured]) for figure in ("throughput_per_s", "p50_ms", "p99_ms")},
                "service_ms_per_request": _median([row["cpu"]["service_ms_per_request"] for row in measured if row["cpu"]]),
                "postgresql_ms_per_request": _median([row["cpu"]["postgresql_ms_per_request"] for row in measured if row["cpu"]]),
                "rows_shown": measured[-1]["rows_shown"], "audit_rows_per_page": measured[-1]["audit_rows_per_page"],
                "failed": sum(row["closed"]["failed"] for row in measured),
            }
        ratios = [round(one["closed"]["throughput_per_s"] / many["closed"]["throughput_per_s"], 3)
                  for one, many in zip(by_size[small], by_size[large], strict=True) if many["closed"]["throughput_per_s"]]
        p50 = [round(many["closed"]["p50_ms"] / one["closed"]["p50_ms"], 3)
               for one, many in zip(by_size[small], by_size[large], strict=True) if one["closed"]["p50_ms"] and many["closed"]["p50_ms"]]
        entry["cost_ratio"] = {"median": _median(ratios), "rounds": ratios}
        entry["p50_ratio"] = {"median": _median(p50), "rounds": p50}
        summary[name] = entry
    return summary


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure the median over the rounds (the rounds themselves are kept beside it)."""
    closed = dict(rounds[-1]["closed"])
    opened = dict(rounds[-1]["open"])
    for name in ("throughput_per_s",):
        closed[name] = _median([row["closed"][name] for row in rounds])
    for name in ("p50_ms", "p90_ms", "p99_ms", "max_ms"):
        opened[name] = _median([row["open"][name] for row in rounds])
    closed["failed"] = sum(row["closed"]["failed"] for row in rounds)
    opened["failed"] = sum(row["open"]["failed"] for row in rounds)
    figures: dict[str, Any] = {"closed": closed, "open": opened, "rounds": rounds, "aggregate": f"median of {len(rounds)} rounds"}
    if any("ratio_to_floor" in row for row in rounds):
        figures["ratio_to_floor"] = _median([row.get("ratio_to_floor") for row in rounds])
    return figures


# ---------- the report ----------
def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release(), "postgresql": postgres_version()}


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    ops, growth = results["operations"], results["growth"].get("operations", {})
    out = []

    def add(target: str, value: Any, met: bool | None, detail: str = "") -> None:
        out.append({"target": target, "value": value, "met": met, "detail": detail})

    for key, shape in (("create_incident_many_schools", "many schools"), ("create_incident", "one school")):
        ratio = ops.get(key, {}).get("ratio_to_floor")
        if key in ops:
            add(f"create incident throughput ≥ 0.5 × floor, {shape} (median of rounds)", ratio,
                None if ratio is None else ratio >= TARGETS["create_ratio"])
    for key, shape in (("create_incident_many_schools", "many schools"), ("create_incident", "one school")):
        if key in ops:
            p99 = ops[key].get("open", {}).get("p99_ms")
            add(f"create incident p99 < 50 ms at {results['settings']['rate']:.0f}/s, {shape} (median of rounds)", p99,
                None if p99 is None else p99 < TARGETS["create_p99_ms"], _p99_beside_the_disk(ops[key], ops.get("floor_create", {})))
    handoff = ops.get("handoff", {})
    stored = handoff.get("stored", {})
    add("hand-off median < 200 ms (decision → police report stored)", stored.get("p50_ms"),
        None if stored.get("p50_ms") is None else stored["p50_ms"] < TARGETS["handoff_p50_ms"])
    add("hand-off p99 < 1 s", stored.get("p99_ms"), None if stored.get("p99_ms") is None else stored["p99_ms"] < TARGETS["handoff_p99_ms"])
    workers = results.get("workers", {}).get("summary")
    if workers:
        for shape, label in (("many_schools", f"{results['workers']['schools']} schools"), ("one_school", "one school")):
            ratio = workers[f"{shape}_ratio"]["median"]
            add(f"create incident, 2 workers ≥ 1.6 × 1 worker, {label} (median of rounds)", ratio,
                None if ratio is None else ratio >= TARGETS["workers_ratio"],
                f"(rounds: {', '.join(str(r) for r in workers[f'{shape}_ratio']['rounds'])}; "
                f"load average {results['workers']['loadavg_1m']['min']}–{results['workers']['loadavg_1m']['max']})")
    list_pages = results.get("list_page", {}).get("summary", {})
    for name, entry in list_pages.items():
        ratio = entry["cost_ratio"]["median"]
        add(f"list page {name.replace('_', ' ')}: a 50-row page costs ≤ 2 × a 1-row page (throughput, median of rounds)", ratio,
            None if ratio is None else ratio <= TARGETS["list_page_cost_ratio"],
            f"(rounds: {', '.join(str(r) for r in entry['cost_ratio']['rounds'])}; audit rows per page: "
            f"{entry['1']['audit_rows_per_page']} and {entry['50']['audit_rows_per_page']})")
    levels = results["growth"].get("levels", [])
    label = f"{levels[-1]:,}/{levels[0]:,}" if levels else "?"
    for name in ("school_list_first", "school_list_deep", "police_list_first", "police_list_deep",
                 "police_intake", "repeat_offender_lookup"):
        entry = growth.get(name, {})
        ratio = entry.get("ratio_p50")
        add(f"growth {name} ({label}, p50) ≤ 1.5", ratio, None if ratio is None else ratio <= TARGETS["growth_ratio"],
            entry.get("reason", ""))
    for name, rss in results.get("peak_rss_mb", {}).items():
        if name != "floor":
            add(f"peak RSS {name} < 200 MB", rss, None if rss is None else rss < TARGETS["rss_mb"])
    return out


def table(results: dict[str, Any]) -> str:
    lines = ["| operation | closed loop /s (c=%d) | × floor | open loop p50 / p99 ms (at /s) | failed |" % results["settings"]["concurrency"],
             "|---|---:|---:|---|---:|"]
    for key, entry in results["operations"].items():
        if key == "handoff":
            continue
        if entry.get("available") is False:
            lines.append(f"| {entry['label']} | – | – | {entry.get('reason', 'not available')} | – |")
            continue
        closed, opened = entry.get("closed") or {}, entry.get("open") or {}
        ratio = entry.get("ratio_to_floor")
        failed = (closed.get("failed") or 0) + (opened.get("failed") or 0)
        open_text = f"{opened.get('p50_ms')} / {opened.get('p99_ms')} (at {opened.get('target_rate_per_s'):.0f})" if opened else "–"
        lines.append(f"| {entry['label']} | {closed.get('throughput_per_s', '–')} | {ratio if ratio is not None else '–'} | {open_text} | {failed} |")
    handoff = results["operations"].get("handoff", {})
    if handoff:
        lines += ["", "| hand-off (n=%s) | p50 ms | p99 ms | max ms |" % handoff.get("samples"), "|---|---:|---:|---:|"]
        for name in ("stored", "visible_to_school"):
            figures = handoff.get(name, {})
            lines.append(f"| decision → {name.replace('_', ' ')} | {figures.get('p50_ms')} | {figures.get('p99_ms')} | {figures.get('max_ms')} |")
        if handoff.get("reason"):
            lines.append(f"\n{handoff['reason']}")
    list_pages = results.get("list_page", {}).get("summary", {})
    if list_pages:
        lines += ["", f"| list page (closed loop, c={results['settings']['concurrency']}, median of rounds) | rows shown | audit rows "
                  "| /s | p50 / p99 ms | CPU ms/request: service / PostgreSQL | cost × the 1-row page (p50 ×) |",
                  "|---|---:|---:|---:|---|---|---|"]
        for name, entry in list_pages.items():
            for size in LIST_PAGE_SIZES:
                row = entry[str(size)]
                ratio = (f"{entry['cost_ratio']['median']} ({entry['p50_ratio']['median']})" if size == max(LIST_PAGE_SIZES) else "–")
                lines.append(f"| {name} limit={size} | {row['rows_shown']} | {row['audit_rows_per_page']} | {row['throughput_per_s']} | "
                             f"{row['p50_ms']} / {row['p99_ms']} | {row['service_ms_per_request']} / {row['postgresql_ms_per_request']} | {ratio} |")
    growth = results["growth"]
    if growth:
        low, high = (str(level) for level in (growth["levels"][0], growth["levels"][-1]))
        lines += ["", f"| growth ({growth['mode']}, {growth['seconds']:.0f} s) | p50 / p99 ms at {int(low):,} | p50 / p99 ms at {int(high):,} | ratio p50 | ratio p99 |",
                  "|---|---|---|---:|---:|"]
        for name, entry in growth["operations"].items():
            if entry.get("available") is False:
                lines.append(f"| {name} | {entry['reason']} | | | |")
                continue
            a, b = entry.get(low, {}), entry.get(high, {})
            lines.append(f"| {name} | {a.get('p50_ms')} / {a.get('p99_ms')} | {b.get('p50_ms')} / {b.get('p99_ms')} | {entry.get('ratio_p50')} | {entry.get('ratio_p99')} |")
    rounds = {key: entry["rounds"] for key, entry in results["operations"].items() if entry.get("rounds")}
    if rounds:
        count = max(len(measured) for measured in rounds.values())
        lines += ["", "| round by round | " + " | ".join(f"round {n}" for n in range(1, count + 1)) + " |",
                  "|---|" + "---|" * count]
        for key, measured in rounds.items():
            lines.append(f"| {key}: closed /s (× floor) | " + " | ".join(
                f"{row['closed']['throughput_per_s']}" + (f" ({row['ratio_to_floor']})" if "ratio_to_floor" in row else "")
                for row in measured) + " |")
            lines.append(f"| {key}: open p99 ms (disk flushes > 20 ms, slowest) | " + " | ".join(
                f"{row['open']['p99_ms']} ({row['open']['disk']['over_20ms']}, {row['open']['disk']['max_ms']} ms)" for row in measured) + " |")
    if results.get("cpu"):
        lines += ["", "| CPU per request, closed loop, median of rounds (ms) | service | PostgreSQL | generator | cores busy (svc / pg / gen) |",
                  "|---|---:|---:|---:|---|"]
        for phase, measured in results["cpu"].items():
            cpu = {name: _median([row[name] for row in measured]) for name in measured[0] if name != "service_process_cores"}
            lines.append(f"| {phase} | {cpu['service_ms_per_request']} | {cpu['postgresql_ms_per_request']} | "
                         f"{cpu['generator_ms_per_request']} | {cpu['service_cores']} / {cpu['postgresql_cores']} / {cpu['generator_cores']} |")
    workers = results.get("workers", {})
    if workers.get("summary"):
        lines += ["", f"| workers (c={results['settings']['concurrency']}, median of rounds) | closed /s | 2w/1w | p50 / p99 ms "
                  "| CPU ms/request: service / PostgreSQL (this db) / PostgreSQL (all) / generator "
                  "| cores busy: service (each process) / others / machine |",
                  "|---|---:|---:|---|---|---|"]
        for key, entry in workers["summary"].items():
            if key.endswith("_ratio"):
                continue
            cpu = entry["cpu"] or {}
            ratio = workers["summary"][key.rsplit("_", 1)[0] + "_ratio"]["median"] if key.endswith("_2w") else "–"
            lines.append(f"| {key} | {entry['throughput_per_s']} | {ratio} | {entry['p50_ms']} / {entry['p99_ms']} | "
                         f"{cpu.get('service_ms_per_request')} / {cpu.get('postgresql_own_ms_per_request')} / "
                         f"{cpu.get('postgresql_ms_per_request')} / {cpu.get('generator_ms_per_request')} | "
                         f"{cpu.get('service_cores')} ({cpu.get('service_process_cores')}) / {cpu.get('others_cores')} / "
                         f"{cpu.get('machine_cores_busy')} |")
        for key, measured in workers["rounds"].items():
            lines.append(f"| {key} round by round: /s (p99 ms) | " + ", ".join(
                f"{row['closed']['throughput_per_s']} ({row['closed']['p99_ms']})" for row in measured) + " | | | | |")
        lines.append(f"\nload average (1 min) during the workers phase: {workers['loadavg_1m']['min']}–{workers['loadavg_1m']['max']}")
    elif workers:
        lines.append(f"\nworkers: {workers['reason']}")
    lines += ["", "| peak RSS | MB |", "|---|---:|"]
    lines += [f"| {name} | {rss} |" for name, rss in results.get("peak_rss_mb", {}).items()]
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    for verdict in results.get("targets", []):
        met = {True: "met", False: "MISSED", None: "not measured"}[verdict["met"]]
        lines.append(f"| {verdict['target']} | {verdict['value']} | {met} {verdict['detail']} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--full", action="store_true", help="growth up to 1,000,000 incidents/reports/persons")
    parser.add_argument("--growth-max", type=int, default=100_000, help="upper growth level without --full")
    parser.add_argument("--concurrency", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per closed/open-loop phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rate", type=float, default=100.0, help="open-loop arrival rate per second")
    parser.add_argument("--growth-seconds", type=float, default=6.0)
    parser.add_argument("--pool-size", type=int, default=20,
                        help="database pool size of the floor and both services alike (the services' default is 20)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved floor / create-incident rounds; the table gives the median round by round")
    parser.add_argument("--schools", type=int, default=50, help="schools for the spread create-incident row (1: skip)")
    parser.add_argument("--handoffs", type=int, default=30)
    parser.add_argument("--workers-requests", type=int, default=20_000,
                        help="most requests one closed loop of the workers phase sends (it also stops after --seconds)")
    parser.add_argument("--connect-stagger-ms", type=float, default=25.0,
                        help="workers phase: ms between the clients' first connections, so that both workers accept "
                             "some (0: all at once; one worker then often accepts all 16)")
    parser.add_argument("--profile", metavar="SERVICE[:PHASE]",
                        help="sample SERVICE (school_api, police_api, floor) with py-spy during a phase's closed loop "
                             "(create_incident, risk_assessment, police_intake, floor_create); raw stacks in bench/results/")
    parser.add_argument("--only", help="comma-separated phases: ceiling,create,risk,handoff,intake,list_page,growth,workers (default all)")
    parser.add_argument("--keep-logs", action="store_true", help="copy the services' logs to bench/results/")
    return parser.parse_args(argv)


def _raise_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # stop processes and drop databases on kill too
    folder = Path(tempfile.mkdtemp(prefix="ysi-bench-"))
    bench = Bench(args, folder)
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    bench.results.update(started_at=stamp, machine=machine(), command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                         settings={"backend": args.backend, "full": args.full, "concurrency": args.concurrency,
                                   "seconds": args.seconds, "warmup": args.warmup, "rate": args.rate,
                                   "growth_seconds": args.growth_seconds, "rounds": args.rounds,
                                   "handoffs": args.handoffs})
    failed: BaseException | None = None
    try:
        bench.start_stack()
        runner_kwargs: dict[str, Any] = {}
        try:
            import uvloop  # noqa: PLC0415 - the generator's event loop; the services use uvicorn's default

            runner_kwargs["loop_factory"] = uvloop.new_event_loop
        except ImportError:
            pass
        with asyncio.Runner(**runner_kwargs) as runner:
            runner.run(bench.measure())
        bench.results["peak_rss_mb"] = {s.name: _r(s.rss_mb()[1]) for s in bench.services}
    except BenchError as exc:
        failed = exc
        log(f"FAILED: {exc}")
    except KeyboardInterrupt as exc:
        failed = exc
        log("interrupted: stopping processes and dropping databases")
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        failed = exc
        import traceback  # noqa: PLC0415

        traceback.print_exc()
        for service in bench.services:
            log(f"last lines of {service.name}'s log:\n{service.tail()}")
    finally:
        bench.results.setdefault("peak_rss_mb", {s.name: _r(s.rss_mb()[1]) for s in bench.services})
        if args.keep_logs or failed is not None:
            logs = RESULTS_DIR / f"logs-{stamp}"
            logs.mkdir(parents=True, exist_ok=True)
            for service in bench.services:
                if service.log_file.exists():
                    shutil.copy(service.log_file, logs / service.log_file.name)
        bench.stop_stack()
        shutil.rmtree(folder, ignore_errors=True)
    bench.results["duration_s"] = round(time.perf_counter() - started, 1)
    bench.results["targets"] = verdicts(bench.results) if failed is None else []
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"bench-{args.backend}-{stamp}.json"
    out.write_text(json.dumps(bench.results, indent=2, default=str))
    (RESULTS_DIR / f"latest-{args.backend}.json").write_text(json.dumps(bench.results, indent=2, default=str))
    print()
    print(table(bench.results))
    print(f"\n{args.backend}, {bench.results['duration_s']} s; JSON: {out}")
    for note in bench.results["notes"]:
        print(f"note: {note}")
    return 1 if failed is not None else 0


if __name__ == "__main__":
    sys.exit(main())
