"""`make bench-feed`: what status back to the school costs, polled (before) and pushed (after); issue 15.

    .venv/bin/python -m bench.status_feed                          # 5,000 open referrals, 50 schools, PostgreSQL
    .venv/bin/python -m bench.status_feed --referrals 500 --schools 10 --backend sqlite

Starts the police API and the school API (relay on, status feed followed) as uvicorn processes on
throw-away databases, refers `--referrals` incidents from `--schools` schools through the school API and
lets the relay deliver them all. Then, on the same open referrals:
- before: one round of the old status poll (`school-api refresh-statuses`, what the relay did every 20 s),
  its police requests, school writes and audit rows counted, per hour at one round every 20 s;
- after: an idle window of `--idle-seconds` with every school's feed followed: police requests (from the
  police's /metrics), school writes and audit rows counted, per hour;
- latency: `--changes` status changes made by an officer (a crime recorded), each timed from the police's
  answer to the school's database showing it; p50 and p99.
Everything is on 127.0.0.1; the processes are stopped and the databases dropped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from bench.loadgen import percentile
from bench.stack import VENV_BIN, Database, Keys, Service, police_env, register_school, school_env
from shared.migrations import upgrade

FORCE = "52"
OLD_POLL_SECONDS = 20.0
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DISCLOSED = "2026-11-27T09:00:00Z"
NO_IMMEDIATE = dict.fromkeys(
    ["adult_involved", "coercion_blackmail_grooming_or_capacity", "unusual_or_violent_acts", "imagery_involves_sexual_acts",
     "pictured_pupil_under_13", "immediate_risk_of_harm"], False)
NO_FACTORS = dict.fromkeys(
    ["significant_age_difference", "external_coercion_or_encouragement", "child_more_vulnerable", "severe_or_extreme_image",
     "widely_distributed", "not_first_time", "other_cause_for_concern"], False)


def log(message: str) -> None:
    print(f"[bench-feed {time.strftime('%H:%M:%S')}] {message}", flush=True)


async def refer(client: httpx.AsyncClient, dsl: dict[str, str], *, with_pupil: bool) -> str:
    created = await client.post(
        "/incidents", json={"disclosed_at": DISCLOSED, "disclosure_source": "peer", "image_nature": "potentially_illegal"}, headers=dsl
    )
    created.raise_for_status()
    incident = created.json()["id"]
    if with_pupil:
        person = await client.post(
            f"/incidents/{incident}/people",
            json={"kind": "pupil", "roles": ["pictured", "sender"], "sex": "female", "age_years": 14}, headers=dsl,
        )
        person.raise_for_status()
    for kind in ("dsl_informed", "senior_management_informed"):
        action = await client.post(
            f"/incidents/{incident}/actions",
            json={"kind": kind, "taken": True, "performed_by": "DSL", "occurred_at": DISCLOSED}, headers=dsl,
        )
        action.raise_for_status()
    assessed = await client.post(
        f"/incidents/{incident}/assessments",
        json={"immediate": NO_IMMEDIATE, "factors": NO_FACTORS, "typology": "aggravated_youth_intent_to_harm"}, headers=dsl,
    )
    assessed.raise_for_status()
    current = await client.get(f"/incidents/{incident}", headers=dsl)
    decided = await client.post(
        f"/incidents/{incident}/decision",
        json={"outcome": "refer_police", "police_channel": "scpo", "inform_parents": True, "reasons": "Aggravated (S-POLICE)."},
        headers={**dsl, "If-Match": current.headers["ETag"]},
    )
    decided.raise_for_status()
    return incident


def count(engine: Any, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def police_requests(police_url: str, route: str) -> float:
    answer = httpx.get(f"{police_url}/metrics", timeout=10)
    total = 0.0
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and sample.labels.get("route") == route:
                total += sample.value
    return total


def status_writes_since(school_engine: Any, since: str) -> int:
    return count(school_engine, "SELECT count(*) FROM police_referrals WHERE police_status_checked_at > :since", since=since)


def now_iso(school_engine: Any) -> str:
    with school_engine.connect() as connection:
        return str(connection.execute(text("SELECT max(updated_at) FROM police_referrals")).scalar_one())


class FeedBench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.keys = Keys(folder / "keys")
        self.police_db = Database(args.backend, "feed_police", folder)
        self.school_db = Database(args.backend, "feed_school", folder)
        upgrade("police_api", self.police_db.async_url)
        upgrade("school_api", self.school_db.async_url)
        self.clients_file = folder / "police-clients.json"
        self.police = Service("police", "services.police_api.app:create_app", police_env(self.keys, self.police_db.async_url), folder / "police.log")
        self.school_env = {
            **school_env(self.keys, self.school_db.async_url, self.police.url, self.clients_file),
            "SCHOOL_API_FEED_WAIT_SECONDS": str(args.wait_seconds),
        }
        self.school = Service("school", "services.school_api.app:create_app", self.school_env, folder / "school.log")
        self.police_engine = create_engine(self.police_db.sync_url)
        self.school_engine = create_engine(self.school_db.sync_url)

    def close(self) -> None:
        for service in (self.school, self.police):
            service.stop()
        self.police_engine.dispose()
        self.school_engine.dispose()
        self.police_db.drop()
        self.school_db.drop()

    def audit_rows(self) -> tuple[int, int]:
        return count(self.school_engine, "SELECT count(*) FROM audit_entries"), count(self.police_engine, "SELECT count(*) FROM audit_entries")

    async def seed(self) -> tuple[list[str], list[str]]:
        urns = [f"{700000 + index}" for index in range(self.args.schools)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda urn: register_school(self.police.env, urn, FORCE, self.clients_file), urns))
        self.school.start()
        self.school.wait_ready()
        semaphore = asyncio.Semaphore(self.args.concurrency)
        dsl = {urn: {"Authorization": f"Bearer {self.keys.school_token('dsl', urn)}"} for urn in urns}

        async def one(index: int, with_pupil: bool) -> str:
            async with semaphore:
                return await refer(client, dsl[urns[index % len(urns)]], with_pupil=with_pupil)

        async with httpx.AsyncClient(base_url=self.school.url, timeout=60) as client:
            idle = await asyncio.gather(*(one(i, False) for i in range(self.args.referrals - self.args.changes)))
            changing = await asyncio.gather(*(one(i, True) for i in range(self.args.changes)))
        return list(idle), list(changing)

    def wait_until(self, sql: str, expected: int, what: str) -> None:
        timeout = self.args.delivery_timeout
        deadline = time.monotonic() + timeout
        while (found := count(self.school_engine, sql)) < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: {found} of {expected} after {timeout:.0f}s; see {self.folder}")
            time.sleep(0.5)

    def polled_round(self) -> dict[str, float]:
        """One round of the status poll the relay made every 20 s before the feed."""
        before_requests = police_requests(self.police.url, "/reports/{report_id}/status")
        school_rows, police_rows = self.audit_rows()
        since = now_iso(self.school_engine)
        started = time.perf_counter()
        result = subprocess.run(
            [str(VENV_BIN / "school-api"), "refresh-statuses"], env={**os.environ, **self.school_env},
            capture_output=True, text=True, timeout=900,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"refresh-statuses failed: {result.stderr[-500:]}")
        school_after, police_after = self.audit_rows()
        rounds_per_hour = 3600 / OLD_POLL_SECONDS
        requests = police_requests(self.police.url, "/reports/{report_id}/status") - before_requests
        return {
            "round_seconds": seconds,
            "police_requests_per_hour": requests * rounds_per_hour,
            "school_writes_per_hour": status_writes_since(self.school_engine, since) * rounds_per_hour,
            "audit_rows_per_hour": (school_after - school_rows + police_after - police_rows) * rounds_per_hour,
        }

    def idle_window(self) -> dict[str, float]:
        before_requests = police_requests(self.police.url, "/status-changes")
        school_rows, police_rows = self.audit_rows()
        since = now_iso(self.school_engine)
        time.sleep(self.args.idle_seconds)
        school_after, police_after = self.audit_rows()
        per_hour = 3600 / self.args.idle_seconds
        return {
            "police_requests_per_hour": (police_requests(self.police.url, "/status-changes") - before_requests) * per_hour,
            "school_writes_per_hour": status_writes_since(self.school_engine, since) * per_hour,
            "audit_rows_per_hour": (school_after - school_rows + police_after - police_rows) * per_hour,
        }

    async def latencies(self, changing: list[str]) -> list[float]:
        officer = {"Authorization": f"Bearer {self.keys.police_token('scpo', FORCE)}"}
        seconds: list[float] = []
        async with httpx.AsyncClient(base_url=self.police.url, timeout=30) as police:
            for school_incident in changing:
                with self.police_engine.connect() as connection:
                    police_incident = connection.execute(
                        text("SELECT police_incident_id FROM school_reports WHERE school_incident_id = :id"), {"id": school_incident}
                    ).scalar_one()
                links = (await police.get(f"/incidents/{police_incident}/links", headers=officer)).json()["items"]
                victim = next(link for link in links if "pictured" in link["reported_roles"])
                crime = await police.post(
                    f"/incidents/{police_incident}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"},
                    headers=officer,
                )
                crime.raise_for_status()
                committed = time.perf_counter()
                while True:
                    with self.school_engine.connect() as connection:
                        status = connection.execute(
                            text("SELECT police_status FROM police_referrals WHERE incident_id = :id"), {"id": school_incident}
                        ).scalar_one()
                    status = json.loads(status) if isinstance(status, str) else status
                    if status and status.get("crimes_recorded") == 1:
                        break
                    if time.perf_counter() - committed > 120:
                        raise RuntimeError("a status change did not reach the school within 120 s")
                    await asyncio.sleep(0.005)
                seconds.append(time.perf_counter() - committed)
        return seconds

    async def run(self) -> dict[str, Any]:
        self.police.start()
        self.police.wait_ready()
        log(f"referring {self.args.referrals} incidents from {self.args.schools} schools")
        started = time.perf_counter()
        idle, changing = await self.seed()
        total = len(idle) + len(changing)
        self.wait_until("SELECT count(*) FROM police_referrals WHERE delivery_state = 'delivered'", total, "delivered")
        # The followers' first pages bring every referral its "received" status.
        self.wait_until("SELECT count(*) FROM police_referrals WHERE police_status IS NOT NULL", total, "first status")
        log(f"{total} referrals delivered and followed in {time.perf_counter() - started:.0f}s")
        before = self.polled_round()
        log(f"polled round: {before['round_seconds']:.1f}s for {total} referrals")
        after = self.idle_window()
        log(f"idle window of {self.args.idle_seconds:.0f}s measured")
        seconds = await self.latencies(changing)
        latency = {"n": len(seconds), "p50_ms": statistics.median(seconds) * 1000, "p99_ms": percentile(seconds, 99) * 1000}
        return {"backend": self.args.backend, "referrals": total, "schools": self.args.schools,
                "wait_seconds": self.args.wait_seconds, "before": before, "after": after, "latency": latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--referrals", type=int, default=5000)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--changes", type=int, default=50, help="status changes timed (their referrals have a pupil)")
    parser.add_argument("--idle-seconds", type=float, default=120.0)
    parser.add_argument("--wait-seconds", type=float, default=50.0, help="the school's long poll (SCHOOL_API_FEED_WAIT_SECONDS)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delivery-timeout", type=float, default=3600.0,
                        help="seconds to wait for every referral to be delivered and first followed (5,000 on a loaded 2-core machine take long)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as folder:
        bench = FeedBench(args, Path(folder))
        try:
            result = asyncio.run(bench.run())
        finally:
            bench.close()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"status-feed-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:4]}.json"
    out.write_text(json.dumps(result, indent=2))
    before, after, latency = result["before"], result["after"], result["latency"]
    print(f"\nStatus back to the school: {result['referrals']} open referrals from {result['schools']} schools ({result['backend']})")
    print(f"{'per hour':<28}{'polled every 20 s':>20}{'feed (long poll)':>20}{'ratio':>10}")
    for key, label in (("police_requests_per_hour", "police requests"), ("school_writes_per_hour", "school writes"),
                       ("audit_rows_per_hour", "audit rows")):
        ratio = f"{before[key] / after[key]:.0f}x" if after[key] else "all"
        print(f"{label:<28}{before[key]:>20,.0f}{after[key]:>20,.0f}{ratio:>10}")
    print(f"change -> school (n={latency['n']}): p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms (target p50 < 1000 ms)")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
