"""The load generator: one raw asyncio HTTP/1.1 keep-alive client, the same for the floor and the services.

Why not httpx: on a 2-core machine the generator competes with the server for CPU, and a lean client
leaves more of it to the thing being measured. Its own ceiling is measured against the floor's no-op
endpoint in every run and printed beside the other figures.

- closed loop: `concurrency` clients, each sends its next request as soon as the last one answered;
  throughput = answered requests / measured seconds (after a warm-up).
- open loop: requests are *scheduled* at a fixed rate; latency is measured from the intended send
  time, so a stall in the server (or a queue in front of it) shows up in p99 instead of being hidden
  by a client that politely waits (coordinated omission).
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def json(method: str, path: str, payload: Any, headers: dict[str, str] | None = None) -> Request:
        merged = {"Content-Type": "application/json", **(headers or {})}
        return Request(method, path, json.dumps(payload).encode(), tuple(merged.items()))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection to 127.0.0.1:port; reconnects by itself after the server closes it."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, request: Request) -> Response:
        for attempt in (1, 2):  # a keep-alive connection the server has just closed is retried once
            if self.writer is None:
                await self._open()
            try:
                return await self._exchange(request)
            except (ConnectionError, asyncio.IncompleteReadError, HttpError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, request: Request) -> Response:
        assert self.reader is not None and self.writer is not None
        lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in request.headers]
        body = request.body or b""
        if request.body is not None or request.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {status_line!r}")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            payload = b"".join(chunks)
        else:
            payload = b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(int(parts[1]), headers, payload)


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


@dataclass
class LoadResult:
    mode: str
    seconds: float
    ok: int = 0
    failed: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    first_failure: str | None = None
    target_rate: float | None = None
    concurrency: int | None = None
    disk: dict[str, Any] | None = None  # the disk probe's figures over an open loop (bench.probes.DiskProbe)

    def record(self, started: float, response: Response | None, expected: set[int], error: str | None = None) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response is not None:
            self.statuses[response.status] += 1
        if response is not None and response.status in expected:
            self.ok += 1
            return
        self.failed += 1
        if self.first_failure is None:
            self.first_failure = error or f"HTTP {response.status}: {response.body[:300].decode(errors='replace')}"

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "mode": self.mode,
            "concurrency": self.concurrency,
            "target_rate_per_s": self.target_rate,
            "seconds": round(self.seconds, 2),
            "ok": self.ok,
            "failed": self.failed,
            "throughput_per_s": round(self.throughput, 1),
            "p50_ms": _round(percentile(ordered, 0.50)),
            "p90_ms": _round(percentile(ordered, 0.90)),
            "p99_ms": _round(percentile(ordered, 0.99)),
            "max_ms": _round(ordered[-1] if ordered else None),
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "first_failure": self.first_failure,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


RequestFactory = Callable[[int], Request | None]  # None: nothing left to send (a finite pool ran out)


OnResponse = Callable[[Request, Response], None]


async def closed_loop(
    port: int, make: RequestFactory, *, concurrency: int, seconds: float, warmup: float, expected: set[int],
    on_response: OnResponse | None = None, stagger: float = 0.0,
) -> LoadResult:
    """`concurrency` clients back to back for `warmup + seconds`; only the last `seconds` are counted.

    `stagger` seconds between the clients' first requests (within the warm-up): several uvicorn workers share
    one listening socket, and connections opened all at once can all be accepted by the same worker."""
    result = LoadResult("closed", seconds, concurrency=concurrency)
    counter = iter(range(10**12))
    with _no_generator_gc():
        await _closed_clients(port, make, result, counter, concurrency, seconds, warmup, expected, on_response, stagger)
    return result


async def _closed_clients(
    port: int, make: RequestFactory, result: LoadResult, counter: Any, concurrency: int, seconds: float, warmup: float,
    expected: set[int], on_response: OnResponse | None, stagger: float,
) -> None:
    loop_start = time.perf_counter()
    measure_from, stop_at = loop_start + warmup, loop_start + warmup + seconds
    exhausted_at: list[float] = []

    async def client(number: int) -> None:
        connection = Connection(port)
        await asyncio.sleep(number * stagger)
        try:
            while (now := time.perf_counter()) < stop_at:
                request = make(next(counter))
                if request is None:
                    exhausted_at.append(now)
                    return
                started = time.perf_counter()
                try:
                    response = await connection.send(request)
                    error = None
                except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
                    response, error = None, f"{type(exc).__name__}: {exc}"
                if response is not None and on_response is not None:
                    on_response(request, response)
                if started >= measure_from and time.perf_counter() <= stop_at:
                    result.record(started, response, expected, error)
        finally:
            connection.close()

    await asyncio.gather(*(client(number) for number in range(concurrency)))
    if exhausted_at:  # the pool ran out early: count the time actually measured
        result.seconds = max(0.001, min(stop_at, max(exhausted_at)) - measure_from)


@contextlib.contextmanager
def _no_generator_gc() -> Iterator[None]:
    """No garbage collection in the generator while it measures: a full collection of the benchmark's own
    heap paused it for ~95 ms in one run, and that pause showed as latency of the service under test."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def open_loop(
    port: int, make: RequestFactory, *, rate: float, seconds: float, expected: set[int], max_connections: int = 64,
    on_response: OnResponse | None = None, drain_seconds: float = 10.0,
) -> LoadResult:
    """Send at `rate` per second for `seconds`; latency counts from each request's intended send time."""
    result = LoadResult("open", seconds, target_rate=rate)
    with _no_generator_gc():
        await _open_sends(port, make, result, rate, seconds, expected, max_connections, on_response, drain_seconds)
    return result


async def _open_sends(
    port: int, make: RequestFactory, result: LoadResult, rate: float, seconds: float, expected: set[int],
    max_connections: int, on_response: OnResponse | None, drain_seconds: float,
) -> None:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(max_connections):
        pool.put_nowait(Connection(port))
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    tasks: list[asyncio.Task[None]] = []
    intended_of: dict[asyncio.Task[None], float] = {}

    async def one(request: Request, intended: float) -> None:
        connection = await pool.get()
        try:
            response = await connection.send(request)
            error = None
        except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
            response, error = None, f"{type(exc).__name__}: {exc}"
        finally:
            pool.put_nowait(connection)
        result.record(intended, response, expected, error)
        if response is not None and on_response is not None:
            on_response(request, response)

    for index in range(total):
        intended = start + index / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        request = make(index)
        if request is None:
            break
        task = asyncio.create_task(one(request, intended))
        intended_of[task] = intended
        tasks.append(task)
    # Bounded: a server slower than the rate leaves a queue; what has not answered by the deadline counts
    # as failed with its latency so far (so an overloaded run reports a huge p99 instead of running on).
    done, pending = await asyncio.wait(tasks, timeout=drain_seconds) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        now = time.perf_counter()
        for task in pending:
            result.latencies_ms.append((now - intended_of[task]) * 1000)
            result.failed += 1
        result.first_failure = result.first_failure or f"{len(pending)} requests unanswered {drain_seconds:.0f}s after the last send"
    result.seconds = max(0.001, time.perf_counter() - start)
    while not pool.empty():
        pool.get_nowait().close()
