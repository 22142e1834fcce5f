"""Vocabulary of a device's chain of custody (APPX8 step 3, S-IMAGE)."""
from __future__ import annotations

from enum import StrEnum


class DeviceOwner(StrEnum):
    school = "school"
    personal = "personal"


class CustodyEventKind(StrEnum):
    """One step in the chain of custody. `image_deleted` exists only to be refused (S-IMAGE): evidence of
    a suspected offence is never deleted; the device goes to the police."""

    confiscated = "confiscated"
    flight_mode = "flight_mode"
    switched_off = "switched_off"
    secured = "secured"
    network_blocked = "network_blocked"
    handed_to_police = "handed_to_police"
    returned_to_owner = "returned_to_owner"
    image_deleted = "image_deleted"
