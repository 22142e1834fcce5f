from __future__ import annotations

from enum import StrEnum


class PoliceChannel(StrEnum):
    """How the school reaches the police (P-101): the 101 line or the Safer Schools officer."""

    call_101 = "101"
    scpo = "scpo"


class DeliveryState(StrEnum):
    queued = "queued"
    delivered = "delivered"
    failed = "failed"


class OutboxState(StrEnum):
    pending = "pending"
    done = "done"
    dead = "dead"
