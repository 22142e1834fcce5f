"""Vocabularies of the school's incident record (DOMAIN.md section 2). Wire values are the names."""
from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    open = "open"
    assessed = "assessed"
    referred = "referred"
    managed_in_school = "managed_in_school"
    reviewed = "reviewed"
    closed = "closed"


class DisclosureSource(StrEnum):
    """Who disclosed (APPX8 step 1)."""

    pupil_about_self = "pupil_about_self"
    peer = "peer"
    staff = "staff"
    parent = "parent"
    third_party = "third_party"
    device_found = "device_found"


class ImageNature(StrEnum):
    """What sort of image (APPX8 step 1): never the image itself (S-IMAGE)."""

    potentially_illegal = "potentially_illegal"
    inappropriate = "inappropriate"
    unknown = "unknown"
