"""When to try a police delivery again: pure functions, unit-tested without a network."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class Verdict(StrEnum):
    delivered = "delivered"
    retry = "retry"
    give_up = "give_up"


# A 4xx that will never succeed however often it is sent: the report itself is refused.
# 401 is not among them (the cached token may have expired: fetch another and retry), nor 408,
# 409 (the police are still processing the same key) or 429 (slow down).
_RETRYABLE_CLIENT_ERRORS = {401, 408, 409, 425, 429}
# Answers whose Retry-After is honoured: slow down (429), unavailable (503), key still in progress (409).
RETRY_AFTER_STATUSES = frozenset({409, 429, 503})


def verdict_for_status(status: int) -> Verdict:
    if status in (200, 201):
        return Verdict.delivered
    if 400 <= status < 500 and status not in _RETRYABLE_CLIENT_ERRORS:
        return Verdict.give_up
    return Verdict.retry


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with full jitter: uniform(0, min(cap, base * 2**attempt))."""
    ceiling = min(cap, base * (2 ** min(attempt, 32)))
    return (rng or random).uniform(0, ceiling)


def retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """`Retry-After` as delay-seconds or an HTTP date; None when absent or unreadable."""
    if header is None:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def next_attempt_at(
    now: datetime, attempt: int, *, base: float, cap: float, retry_after: float | None, rng: random.Random | None = None
) -> datetime:
    """Never sooner than the server asked (429/503 Retry-After), otherwise the jittered backoff."""
    delay = backoff_seconds(attempt, base=base, cap=cap, rng=rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay)
