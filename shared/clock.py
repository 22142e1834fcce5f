"""Time, always timezone-aware UTC.

Services read the time through a Clock held on the application so that tests can
move it (the NCRS 24-hour rule is tested by controlling the clock, never by sleeping).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The system clock, optionally shifted; tests move it forward with `advance`."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return utc_now() + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def reset(self) -> None:
        self._offset = timedelta(0)
