"""How a child gave their own account (S-CHILD-VOICE)."""
from __future__ import annotations

from enum import StrEnum


class AccountGiven(StrEnum):
    in_person = "in_person"
    in_writing = "in_writing"
    through_trusted_adult = "through_trusted_adult"
