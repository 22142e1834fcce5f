from __future__ import annotations

from enum import StrEnum


class AuthorisationKind(StrEnum):
    """What the headteacher agrees to: a device search (S-SEARCH) or a DSL viewing an image (S-IMAGE)."""

    device_search = "device_search"
    image_viewing = "image_viewing"
