"""Vocabularies of the school's incident record (DOMAIN.md section 2). Wire values are the names."""
from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    """The lifecycle the API enforces (rules/lifecycle.py): open → assessed → referred | managed_in_school
    → reviewed → closed (S-REVIEW)."""

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


class ImageInvolvement(StrEnum):
    """Is the pupil disclosing about receiving, sending or sharing an image (APPX8 step 1)."""

    receiving = "receiving"
    sending = "sending"
    sharing = "sharing"


class SharingExtent(StrEnum):
    """How widely the image has been shared (APPX8 step 1; S-FACTORS factor 5)."""

    not_shared = "not_shared"
    few_people = "few_people"
    widely = "widely"
    unknown = "unknown"


class DevicePossession(StrEnum):
    """In whose possession the device is at disclosure (APPX8 step 1)."""

    pupil = "pupil"
    another_pupil = "another_pupil"
    school = "school"
    other = "other"
    unknown = "unknown"


class DeviceOwnership(StrEnum):
    """School or personal device (APPX8 steps 1 and 3: school network vs personal device)."""

    school = "school"
    personal = "personal"
    unknown = "unknown"
