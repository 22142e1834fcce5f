"""What the machine did while a phase ran: CPU per request by process, and the disk's flush stalls.

CpuMeter: on a 2-core machine the service, the database and the generator share the same cores, so a
throughput ratio alone cannot say whose work limits it; CPU milliseconds per request can. Read from
/proc (Linux only; elsewhere the meter reports nothing).

DiskProbe: every commit waits for PostgreSQL's WAL flush, so when the disk stalls every request in
flight stalls with it, the floor's as much as the services'. The probe writes and fdatasyncs 8 kB on
the same file system every 50 ms and reports the slow flushes, so a p99 can be read beside them.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_seconds(pid: int) -> float:
    """utime + stime of one process in seconds; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants: uvicorn `--workers N` serves from N children of its supervisor."""
    parents = {int(entry.name): _parent_of(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    tree, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _postgres_seconds(pids: dict[int, float]) -> float:
    """CPU of every postgres process, counting backends that start or end within the window."""
    total = 0.0
    for pid in _postgres_pids():
        total += _process_seconds(pid) - pids.get(pid, 0.0)
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from the first line of /proc/stat."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / _TICKS, sum(ticks[:8]) / _TICKS


def backends_of(admin_url: str, database: str) -> list[int]:
    """The PostgreSQL backends serving one database: the server is shared, and its other clients' CPU is not ours."""
    import psycopg  # noqa: PLC0415 - only when asked

    with psycopg.connect(admin_url, connect_timeout=5) as connection:
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
    return [row[0] for row in rows]


@dataclass
class CpuMeter:
    """`own_backends`, when given, is called at the start to name this run's PostgreSQL backends (their CPU is
    reported apart from the whole server's); the machine's busy cores say whether the two cores are full."""

    service_pid: int
    own_backends: Callable[[], list[int]] | None = None
    started: bool = False
    _service: dict[int, float] = field(default_factory=dict)
    _generator: float = 0.0
    _postgres: dict[int, float] = field(default_factory=dict)
    _wall: float = 0.0
    _own: dict[int, float] = field(default_factory=dict)
    _machine: float = 0.0

    def start(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        self._service = {pid: _process_seconds(pid) for pid in process_tree(self.service_pid)}
        self._generator = _own_seconds()
        self._postgres = {pid: _process_seconds(pid) for pid in _postgres_pids()}
        self._own = {pid: _process_seconds(pid) for pid in self.own_backends()} if self.own_backends else {}
        self._machine = _machine_busy()[0]
        self._wall = time.monotonic()
        self.started = True

    def stop(self, requests: int) -> dict[str, float] | None:
        """CPU ms per request for each party, and each party's share of one core over the window."""
        if not self.started or requests <= 0:
            return None
        wall = time.monotonic() - self._wall
        spent = {
            "service": sum(_process_seconds(pid) - before for pid, before in self._service.items()),
            "postgresql": _postgres_seconds(self._postgres),
            "generator": _own_seconds() - self._generator,
        }
        if self.own_backends is not None:
            spent["postgresql_own"] = sum(_process_seconds(pid) - before for pid, before in self._own.items())
        figures = {f"{party}_ms_per_request": round(seconds * 1000 / requests, 3) for party, seconds in spent.items()}
        figures |= {f"{party}_cores": round(seconds / wall, 2) for party, seconds in spent.items()}
        figures["machine_cores_busy"] = round((_machine_busy()[0] - self._machine) / wall, 2)
        # Everyone else's on the shared machine: what the two cores had left for the parties measured here.
        figures["others_cores"] = round(figures["machine_cores_busy"] - sum(
            figures[f"{party}_cores"] for party in ("service", "postgresql", "generator")), 2)
        # Each of the service's processes apart: with several workers, how evenly the connections fell on them.
        figures["service_process_cores"] = sorted(
            (round((_process_seconds(pid) - before) / wall, 2) for pid, before in self._service.items()), reverse=True)
        return figures


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system



class DiskProbe:
    """fdatasync latency of an 8 kB write every `interval` seconds, in a thread, while a phase runs."""

    SLOW_MS = 20.0

    def __init__(self, folder: Path, interval: float = 0.05) -> None:
        self.path = folder / "disk-probe.bin"
        self.interval = interval
        self.latencies_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        block = os.urandom(8192)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while not self._stop.wait(self.interval):
                started = time.perf_counter()
                os.pwrite(descriptor, block, 0)
                os.fdatasync(descriptor)
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
        finally:
            os.close(descriptor)

    def stop(self) -> dict[str, float | int]:
        self._stop.set()
        self._thread.join(timeout=5)
        ordered = sorted(self.latencies_ms)
        return {
            "flushes": len(ordered),
            "median_ms": round(ordered[len(ordered) // 2], 2) if ordered else 0.0,
            "max_ms": round(ordered[-1], 1) if ordered else 0.0,
            f"over_{self.SLOW_MS:.0f}ms": sum(1 for latency in ordered if latency > self.SLOW_MS),
        }
