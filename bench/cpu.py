"""CPU time spent per answered request, by process: the service, PostgreSQL, the load generator.

On a 2-core machine the service, the database and the generator share the same cores, so a throughput
ratio alone cannot say whose work limits it; CPU milliseconds per request can. Read from /proc
(Linux only; elsewhere the meter reports nothing).
"""
from __future__ import annotations

import os
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

