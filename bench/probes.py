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


@dataclass
class CpuMeter:
    service_pid: int
    started: bool = False
    _service: float = 0.0
    _generator: float = 0.0
    _postgres: dict[int, float] = field(default_factory=dict)
    _wall: float = 0.0

    def start(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        self._service = _process_seconds(self.service_pid)
        self._generator = _own_seconds()
        self._postgres = {pid: _process_seconds(pid) for pid in _postgres_pids()}
        self._wall = time.monotonic()
        self.started = True

    def stop(self, requests: int) -> dict[str, float] | None:
        """CPU ms per request for each party, and each party's share of one core over the window."""
        if not self.started or requests <= 0:
            return None
        wall = time.monotonic() - self._wall
        spent = {
            "service": _process_seconds(self.service_pid) - self._service,
            "postgresql": _postgres_seconds(self._postgres),
            "generator": _own_seconds() - self._generator,
        }
        figures = {f"{party}_ms_per_request": round(seconds * 1000 / requests, 3) for party, seconds in spent.items()}
        figures |= {f"{party}_cores": round(seconds / wall, 2) for party, seconds in spent.items()}
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
