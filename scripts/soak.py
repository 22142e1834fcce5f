"""Soak the hand-off: both services as real processes on loopback, many referrals, processes that
are stopped and restarted while they are being sent, then an exact count on both sides.

    .venv/bin/python -m scripts.soak [--backend sqlite|postgresql] [--referrals 2000] [--clients 20]
                                     [--restarts 3] [--processes 1] [--seed N] [--timeout 900]

- Throw-away databases (a temp folder for SQLite; `ysi_test_…` databases on the local PostgreSQL),
  throw-away keys, one registered school per client, every process on 127.0.0.1.
- `--processes` school API processes (each with its relay and feed follower) and as many police API
  processes on the same two databases, school process i sending to police process i; and a relay
  alone (`school-api relay`), so several relays compete for the outbox throughout.
- `--clients` DSLs (threads) refer `--referrals` incidents in total, each an incident and then a
  decision to refer, spread over the school processes, while processes are stopped (SIGTERM or
  SIGKILL) and restarted `--restarts` times at random moments: with one process of each, only the
  police; with more, any police or school process.
- Then it waits for the outbox to drain and checks, straight from both databases, that the police
  hold exactly one report per school incident, for the right school, and that every school
  referral carries the reference and report id the police gave it.
- Then the status phase: an officer records a crime decision on every report while a police and a
  school process are restarted once more, and every school referral must show it, brought back by
  the feed followers alone: a referral that does not is a missed status change.

Prints lost, duplicated, missed and the times, and exits non-zero if anything was lost, duplicated
or missed, or the run did not finish within `--timeout` seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1, help="school API and police API processes of each")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=900.0, help="give up (and fail) after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs) after a passing run")
    return parser.parse_args(argv)


@dataclass
class Sent:
    incident_id: str
    school_urn: str
    reference: str


@dataclass
class Run:
    sent: list[Sent] = field(default_factory=list)
    client_errors: Counter[str] = field(default_factory=Counter)
    outages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["TEST_DATABASE"] = args.backend  # read by tests.support at import
    from tests.processes import VENV_BIN, ServiceProcess, police_env, register_school, school_env
    from tests.support import Keys, ThrowAwayDatabase, Tokens, fresh_urn
    from shared.clock import Clock
    from shared.migrations import upgrade

    rng = random.Random(args.seed)
    started = time.monotonic()
    deadline = started + args.timeout
    folder = Path(tempfile.mkdtemp(prefix="ysi-soak-"))
    keys = Keys(folder / "keys")
    tokens = Tokens(keys, Clock())
    school_db, police_db = ThrowAwayDatabase("soak_school", folder), ThrowAwayDatabase("soak_police", folder)
    processes: list[ServiceProcess] = []
    relay: subprocess.Popen | None = None
    passed = False
    try:
        upgrade("school_api", school_db.url)
        upgrade("police_api", police_db.url)
        polices = [
            ServiceProcess("services.police_api.app", {**police_env(keys, police_db.url), **SMALL_POOL["police_api"]},
                           folder / f"police-{index}.log")
            for index in range(args.processes)
        ]
        clients_file = folder / "police-clients.json"
        urns = [fresh_urn() for _ in range(args.clients)]
        for urn in urns:
            register_school(polices[0].env, urn, "52", clients_file)
        schools = []
        for index, police in enumerate(polices):
            env = {**school_env(keys, school_db.url, police.url, clients_file), **SMALL_POOL["school_api"]}
            # The production long poll of the status feed; the fast retry settings come from school_env.
            env["SCHOOL_API_FEED_WAIT_SECONDS"] = "50"
            schools.append(ServiceProcess("services.school_api.app", env, folder / f"school-{index}.log"))
        processes += polices + schools
        for process in processes:
            process.start(wait=False)
        for process in processes:
            process.wait_ready(timeout=READY_TIMEOUT_SECONDS)
        relay = subprocess.Popen(
            [str(VENV_BIN / "school-api"), "relay"], env={**os.environ, **schools[0].env},
            stdout=(folder / "relay.log").open("ab"), stderr=subprocess.STDOUT,
        )
        # With one process of each, only the police go away (the school's clients would have nowhere to go).
        victims = polices if args.processes == 1 else polices + schools
        print(f"soak: {args.referrals} referrals from {args.clients} clients, backend {args.backend}, "
              f"{args.processes} school and {args.processes} police processes, {args.restarts} restarts; logs in {folder}",
              flush=True)

        run = Run()
        sending_done = threading.Event()
        chaos = threading.Thread(
            target=_chaos, args=(victims, args.restarts, args.referrals, rng, run, sending_done, deadline)
        )
        chaos.start()
        send_started = time.monotonic()
        per_client = _split(args.referrals, args.clients)
        senders = [
            threading.Thread(
                target=_send, args=([school.url for school in schools], index, tokens.school("dsl", urn), count, run, deadline)
            )
            for index, (urn, count) in enumerate(zip(urns, per_client, strict=True))
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        send_seconds = time.monotonic() - send_started
        sending_done.set()
        sending_ended = time.monotonic()
        chaos.join()
        police_back = time.monotonic()
        print(f"soak: {len(run.sent)} referrals recorded in {send_seconds:.1f}s; restarts: {len(run.outages)}", flush=True)

        drained_at = _wait_drained(school_db.url, [s.incident_id for s in run.sent], deadline)
        drained = drained_at or time.monotonic()
        figures = asyncio.run(_check(school_db.url, police_db.url, run.sent))
        status_started = time.monotonic()
        decided = _decide_every_crime(polices, tokens, police_db.url, run, rng, victims, deadline)
        missed = _wait_statuses_back(school_db.url, decided, deadline)
        figures.update(
            status_changes_made=len(decided),
            status_changes_missed=len(missed),
            seconds_status_phase=round(time.monotonic() - status_started, 1),
        )
        figures.update(
            referrals_requested=args.referrals,
            referrals_recorded=len(run.sent),
            client_errors=dict(run.client_errors),
            police_outages=run.outages,
            seconds_sending=round(send_seconds, 1),
            # From the last referral recorded (police already back) to every referral delivered.
            seconds_to_drain=round(drained - max(sending_ended, police_back), 1),
            drained=drained_at is not None,
            seconds_total=round(time.monotonic() - started, 1),
            backend=args.backend,
            seed=args.seed,
        )
        print(json.dumps(figures, indent=2), flush=True)
        ok = (
            figures["drained"]
            and figures["lost"] == 0
            and figures["duplicated"] == 0
            and figures["mismatched"] == 0
            and len(run.sent) == args.referrals
            and figures["status_changes_missed"] == 0
            and figures["status_changes_made"] == len(run.sent)
        )
        print(f"soak: lost {figures['lost']}, duplicated {figures['duplicated']}, "
              f"status changes missed {figures['status_changes_missed']} of {figures['status_changes_made']}, "
              f"time to drain {figures['seconds_to_drain']}s -> {'PASS' if ok else 'FAIL'}", flush=True)
        passed = bool(ok)
        return 0 if ok else 1
    finally:
        if relay is not None and relay.poll() is None:
            relay.send_signal(signal.SIGTERM)
            try:
                relay.wait(timeout=10)
            except subprocess.TimeoutExpired:
                relay.kill()
        for process in reversed(processes):
            process.stop()
        school_db.drop()
        police_db.drop()
        if passed and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"soak: logs kept in {folder}", flush=True)


READY_TIMEOUT_SECONDS = 180.0
# Five processes at the default pool of 20 would take every one of a default PostgreSQL's 100 connections
# from the machine's other users; 20 clients need no more than 10 a process.
SMALL_POOL = {"school_api": {"SCHOOL_API_DB_POOL_SIZE": "10"}, "police_api": {"POLICE_API_DB_POOL_SIZE": "10"}}


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _send(school_urls: list[str], client: int, token: str, count: int, run: Run, deadline: float) -> None:
    """One DSL: open an incident and take it to a decision to refer (the school workflow's steps, as
    the hand-off tests make them), `count` times, at the school process of its turn. A failure (the
    process it used was stopped) is counted, and the DSL starts a new incident at the next process,
    as a browser behind a load balancer would; an incident it could not finish is never referred."""
    import httpx

    from tests.handoff.support import open_and_refer

    headers = {"Authorization": f"Bearer {token}"}
    turn = client
    with httpx.Client(timeout=60) as http:
        done = 0
        while done < count and time.monotonic() < deadline:
            try:
                incident = open_and_refer(http, school_urls[turn % len(school_urls)], headers)
            except (httpx.HTTPError, AssertionError) as exc:
                run.client_errors[type(exc).__name__] += 1
                turn += 1
                time.sleep(0.2)
                continue
            with run.lock:
                run.sent.append(Sent(incident["id"], incident["school_urn"], incident["reference"]))
            done += 1


def _chaos(
    victims: list[Any], restarts: int, total: int, rng: random.Random, run: Run, sending_done: threading.Event, deadline: float
) -> None:
    """Stop a process `restarts` times at random moments of the sending phase: each outage starts
    when a random share (5-95 %) of the referrals has been recorded; it lasts 1-8 s and the process
    (the `victims` in turn) is stopped with SIGTERM or SIGKILL at random."""
    police_started = time.monotonic()
    moments = sorted(int(total * rng.uniform(0.05, 0.95)) for _ in range(restarts))
    # Each process in turn, in a random order, so that `--restarts` at least as many as the processes stops
    # every one of them, police and school alike.
    order = rng.sample(victims, len(victims))
    for number, moment in enumerate(moments):
        while len(run.sent) < moment and not sending_done.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        if time.monotonic() > deadline:
            return
        _restart(order[number % len(order)], rng, run, at=len(run.sent), since=police_started)


def _restart(process: Any, rng: random.Random, run: Run, *, at: int, since: float) -> None:
    kill = rng.random() < 0.5
    down_for = rng.uniform(1.0, 8.0)
    stopped_at = time.monotonic()
    process.stop(kill=kill)
    time.sleep(down_for)
    process.start(wait=False)
    # A start on a loaded machine (every other process busy with the clients) has taken over 60 s. A process
    # still not answering its probe is left running and the soak goes on: the counts say whether it mattered.
    try:
        process.wait_ready(timeout=READY_TIMEOUT_SECONDS)
        ready = True
    except TimeoutError:
        ready = False
    run.outages.append({
        "ready_again": ready,
        "process": process.log_file.stem,
        "at_referral": at,
        "stopped_after_s": round(stopped_at - since, 1),
        "how": "SIGKILL" if kill else "SIGTERM",
        "down_for_s": round(time.monotonic() - stopped_at, 1),
    })


def _decide_every_crime(
    polices: list[Any], tokens: Any, police_url: str, run: Run, rng: random.Random, victims: list[Any], deadline: float
) -> list[str]:
    """An officer records a crime decision (a decision not to record, with its reason) on every report,
    through the police processes in turn, while one police and one school process are restarted half-way;
    returns the school incident ids decided."""
    import httpx

    report_incidents = asyncio.run(_police_incidents_by_school_incident(police_url))
    officer = {"Authorization": f"Bearer {tokens.police('supervisor', '52')}"}
    wanted = [sent.incident_id for sent in run.sent if sent.incident_id in report_incidents]
    decided: list[str] = []
    chaos_at = len(wanted) // 2
    restarter: threading.Thread | None = None
    with httpx.Client(timeout=30) as http:
        turn = 0
        for number, school_incident in enumerate(wanted):
            if number == chaos_at:
                targets = [next(v for v in victims if "police" in v.log_file.stem), victims[-1]]
                restarter = threading.Thread(
                    target=lambda: [_restart(t, rng, run, at=number, since=time.monotonic()) for t in dict.fromkeys(targets)]
                )
                restarter.start()
            police_incident = report_incidents[school_incident]
            while time.monotonic() < deadline:
                url = polices[turn % len(polices)].url
                try:
                    current = http.get(f"{url}/incidents/{police_incident}", headers=officer)
                    answer = http.post(
                        f"{url}/incidents/{police_incident}/no-crime-decision",
                        json=NO_CRIME_DECISION, headers={**officer, "If-Match": current.headers["ETag"]},
                    )
                except (httpx.HTTPError, KeyError):
                    turn += 1
                    time.sleep(0.2)
                    continue
                if answer.status_code in (200, 409, 412):  # 409/412: an answer lost to a restart was applied
                    break
                raise RuntimeError(f"the officer's crime decision was refused: {answer.status_code} {answer.text[:300]}")
            decided.append(school_incident)
    if restarter is not None:
        restarter.join()
    return decided


NO_CRIME_DECISION = {"basis": "additional_verifiable_information", "reason": "Soak: the crime decision the status phase counts on the school side."}


async def _police_incidents_by_school_incident(police_url: str) -> dict[str, str]:
    from sqlalchemy import select

    from services.police_api.reports.models import SchoolReport
    from shared.db import create_engine

    engine = create_engine(police_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(SchoolReport.school_incident_id, SchoolReport.police_incident_id))
            return {str(school): str(police) for school, police in rows}
    finally:
        await engine.dispose()


def _wait_statuses_back(school_url: str, incident_ids: list[str], deadline: float) -> list[str]:
    """Wait for every decided referral's status at the school to show the crime decision; the missed ones."""
    missing = list(incident_ids)
    while missing and time.monotonic() < deadline:
        shown = asyncio.run(_decisions_shown(school_url, missing))
        missing = [incident_id for incident_id in missing if incident_id not in shown]
        if missing:
            time.sleep(0.5)
    return missing


async def _decisions_shown(school_url: str, incident_ids: list[str]) -> set[str]:
    from sqlalchemy import select

    from services.school_api.referrals.models import PoliceReferral
    from shared.db import create_engine

    engine = create_engine(school_url, pool_size=1)
    shown: set[str] = set()
    try:
        async with engine.connect() as connection:
            ids = [uuid.UUID(value) for value in incident_ids]
            for start in range(0, len(ids), 500):
                rows = await connection.execute(
                    select(PoliceReferral.incident_id, PoliceReferral.police_status).where(
                        PoliceReferral.incident_id.in_(ids[start : start + 500])
                    )
                )
                shown.update(str(incident) for incident, status in rows if status and status.get("crime_decision_made"))
    finally:
        await engine.dispose()
    return shown


def _wait_drained(school_url: str, incident_ids: list[str], deadline: float) -> float | None:
    """The moment every referral left `queued` (read from the school database), or None on timeout."""
    while time.monotonic() < deadline:
        states = asyncio.run(_school_states(school_url, incident_ids))
        if states.get("queued", 0) == 0 and sum(states.values()) == len(incident_ids):
            return time.monotonic()
        time.sleep(0.5)
    return None


async def _school_states(school_url: str, incident_ids: list[str]) -> Counter[str]:
    from sqlalchemy import func, select

    from services.school_api.referrals.models import PoliceReferral
    from shared.db import create_engine

    engine = create_engine(school_url, pool_size=1)
    ids = [uuid.UUID(value) for value in incident_ids]
    states: Counter[str] = Counter()
    try:
        async with engine.connect() as connection:
            for start in range(0, len(ids), 500):
                rows = await connection.execute(
                    select(PoliceReferral.delivery_state, func.count())
                    .where(PoliceReferral.incident_id.in_(ids[start : start + 500]))
                    .group_by(PoliceReferral.delivery_state)
                )
                states.update({str(getattr(state, "value", state)): count for state, count in rows})
    finally:
        await engine.dispose()
    return states


async def _check(school_url: str, police_url: str, sent: list[Sent]) -> dict[str, Any]:
    """Compare both databases: one police report per school incident, for the right school, and the
    school's referral carrying that report's id and police reference."""
    from sqlalchemy import select

    from services.police_api.incidents.models import PoliceIncident
    from services.police_api.reports.models import SchoolReport
    from services.school_api.referrals.models import PoliceReferral
    from shared.db import create_engine

    school_engine, police_engine = create_engine(school_url, pool_size=1), create_engine(police_url, pool_size=1)
    try:
        async with police_engine.connect() as connection:
            reports = (
                await connection.execute(
                    select(SchoolReport.id, SchoolReport.school_incident_id, SchoolReport.school_urn,
                           SchoolReport.school_incident_reference, PoliceIncident.reference)
                    .join(PoliceIncident, PoliceIncident.id == SchoolReport.police_incident_id)
                )
            ).all()
        async with school_engine.connect() as connection:
            referrals = (
                await connection.execute(
                    select(PoliceReferral.incident_id, PoliceReferral.delivery_state, PoliceReferral.police_report_id,
                           PoliceReferral.police_reference, PoliceReferral.attempts)
                )
            ).all()
    finally:
        await school_engine.dispose()
        await police_engine.dispose()

    expected = {s.incident_id: s for s in sent}
    per_incident: dict[str, list[Any]] = {}
    for row in reports:
        per_incident.setdefault(str(row.school_incident_id), []).append(row)
    lost = [incident_id for incident_id in expected if incident_id not in per_incident]
    duplicated = sum(len(rows) - 1 for rows in per_incident.values() if len(rows) > 1)
    unknown = [incident_id for incident_id in per_incident if incident_id not in expected]
    mismatched = 0
    school_side = {str(row.incident_id): row for row in referrals}
    for incident_id, rows in per_incident.items():
        mine = expected.get(incident_id)
        referral = school_side.get(incident_id)
        if mine is None or referral is None:
            continue
        report = rows[0]
        if (report.school_urn, report.school_incident_reference) != (mine.school_urn, mine.reference):
            mismatched += 1
        elif (referral.police_report_id, referral.police_reference) != (report.id, report.reference):
            mismatched += 1
    states = Counter(str(getattr(row.delivery_state, "value", row.delivery_state)) for row in referrals)
    attempts = Counter(row.attempts for row in referrals)
    return {
        "police_reports": len(reports),
        "lost": len(lost),
        "duplicated": duplicated,
        "unknown_on_police_side": len(unknown),
        "mismatched": mismatched,
        "school_referral_states": dict(states),
        "attempts_per_referral": {str(k): v for k, v in sorted(attempts.items())},
    }


if __name__ == "__main__":
    sys.exit(main())
