"""In-process A/B of create incident: minutes, not the benchmark.

The school app and the floor are called straight through ASGI (no sockets, no uvicorn, no load
generator) by 16 concurrent callers on one event loop, against throw-away PostgreSQL databases; the
figure is the CPU time of this one process per request, which is the service's own cost. It is for
checking one change at a time (run it before and after, on the same machine, minutes apart): the
claims against the issue's targets come from `make bench` only.

    .venv/bin/python -m bench.inprocess school --schools 50 --requests 3000
    .venv/bin/python -m bench.inprocess floor
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stack import POSTGRES_ADMIN_URL, Database, Keys, school_env
from shared.migrations import upgrade

BODY = json.dumps(
    {"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer", "image_nature": "potentially_illegal"}
).encode()
Headers = list[tuple[bytes, bytes]]


async def _create(app: Any, headers: Headers) -> int:
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:  # nobody disconnects: a second receive waits, as a live connection would
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/incidents", "raw_path": b"/incidents", "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80), "state": {},
    }
    await app(scope, receive, send)
    return statuses[0]


async def _drive(app: Any, headers_for: Callable[[int], Headers], requests: int, callers: int) -> None:
    numbers = iter(range(requests))

    async def caller() -> None:
        for number in numbers:
            status = await _create(app, headers_for(number))
            if status != 201:
                raise RuntimeError(f"create incident answered {status}")

    await asyncio.gather(*(caller() for _ in range(callers)))


async def measure(target: str, schools: int, requests: int, rounds: int, callers: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-inprocess-"))
    database = Database("postgresql", target, folder)
    try:
        if target == "floor":
            os.environ["BENCH_FLOOR_DATABASE_URL"] = database.async_url
            os.environ["BENCH_FLOOR_POOL_SIZE"] = "20"
            from bench.floor_app import create_app as create_floor_app

            app = create_floor_app()
            plain = [(b"content-type", b"application/json")]
            headers_for: Callable[[int], Headers] = lambda number: plain
        else:
            from services.school_api.app import create_app as create_school_app
            from services.school_api.settings import SchoolSettings

            await asyncio.to_thread(upgrade, "school_api", database.async_url)
            keys = Keys(folder / "keys")
            os.environ.update(school_env(keys, database.async_url, "http://127.0.0.1:9", folder / "no-clients.json"))
            app = create_school_app(SchoolSettings(relay_enabled=False))
            tokens = [keys.school_token("dsl", f"{700000 + n:06d}") for n in range(schools)]
            signed = [[(b"content-type", b"application/json"), (b"authorization", f"Bearer {t}".encode())] for t in tokens]
            headers_for = lambda number: signed[number % len(signed)]
        async with app.router.lifespan_context(app):
            await _drive(app, headers_for, min(300, requests), callers)  # warm caches and the pool
            cpu_ms: list[float] = []
            for _ in range(rounds):
                started = time.process_time()
                await _drive(app, headers_for, requests, callers)
                cpu_ms.append((time.process_time() - started) / requests * 1000)
        return cpu_ms
    finally:
        database.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=("school", "floor"))
    parser.add_argument("--schools", type=int, default=50, help="school URNs the creates are spread over (1: one school)")
    parser.add_argument("--requests", type=int, default=3000, help="creates per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callers", type=int, default=16)
    args = parser.parse_args()
    cpu_ms = asyncio.run(measure(args.target, args.schools, args.requests, args.rounds, args.callers))
    spread = f", {args.schools} school(s)" if args.target == "school" else ""
    print(
        f"{args.target} ({POSTGRES_ADMIN_URL.rsplit('@', 1)[-1]}{spread}, {args.callers} callers): "
        f"CPU per create, min of {args.rounds} rounds: {min(cpu_ms):.3f} ms (rounds: {', '.join(f'{v:.3f}' for v in cpu_ms)})"
    )


if __name__ == "__main__":
    main()
