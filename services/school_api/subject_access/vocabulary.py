from __future__ import annotations

from enum import StrEnum


class MatchedBy(StrEnum):
    """How the person's records in other incidents were found (the school keeps a person per incident)."""

    upn = "upn"
    name_and_date_of_birth = "name_and_date_of_birth"
    # Neither a UPN nor a full name with a date of birth: only the record asked about.
    this_record = "this_record"
