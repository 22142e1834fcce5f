from __future__ import annotations

from enum import StrEnum


class NamedAs(StrEnum):
    """How a crime names the person: as its victim, or as a suspect or person involved."""

    victim = "victim"
    suspect_or_involved = "suspect_or_involved"
