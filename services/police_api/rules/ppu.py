"""P-PPU (safeguarding route): the PPU must be notified of ALL children and young people involved."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from services.police_api.persons.vocabulary import PersonAge
from shared.problems import RuleViolation

T = TypeVar("T")


def must_notify_ppu(age: PersonAge) -> bool:
    """P-PPU: every child; a person whose age is unknown is notified too, since the PPU can stand down
    a notification about an adult but cannot safeguard a child it was never told about."""
    return age is not PersonAge.adult


def children_to_notify(people: Iterable[tuple[T, PersonAge]]) -> list[T]:
    """P-PPU: the people of an incident for whom a PPU notification is created."""
    return [person for person, age in people if must_notify_ppu(age)]


@dataclass(frozen=True)
class NotificationState:
    notification_id: str
    acknowledged: bool


def unacknowledged_notifications(notifications: Iterable[NotificationState]) -> list[RuleViolation]:
    """P-PPU: the incident cannot be finalised while any child's notification is unacknowledged."""
    missing = [n for n in notifications if not n.acknowledged]
    if not missing:
        return []
    return [
        RuleViolation("P-PPU", f"{len(missing)} PPU notification(s) for children on this incident are not acknowledged.")
    ]
