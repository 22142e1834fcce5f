"""Time, always timezone-aware UTC.

Services read the time through a Clock held on the application so that tests can
move it (the NCRS 24-hour rule is tested by controlling the clock, never by sleeping).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The system clock, optionally shifted; tests move it forward with `advance`, or stop it with `frozen`
    where two reads a second apart must show the same countdown (an NCRS clock's seconds left)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None

    def now(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at
        return utc_now() + self._offset

    def advance(self, delta: timedelta) -> None:
        if self._frozen_at is not None:
            self._frozen_at += delta
        self._offset += delta

    @contextmanager
    def frozen(self) -> Iterator[None]:
        self._frozen_at = self.now()
        try:
            yield
        finally:
            self._frozen_at = None

    def reset(self) -> None:
        self._offset = timedelta(0)
        self._frozen_at = None
