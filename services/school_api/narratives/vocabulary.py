from __future__ import annotations

from enum import StrEnum


class NarrativeField(StrEnum):
    """The incident's free-text fields a DSL can edit after they were written (PATCH /incidents/{id})."""

    narrative = "narrative"
    where_image_ended_up = "where_image_ended_up"
