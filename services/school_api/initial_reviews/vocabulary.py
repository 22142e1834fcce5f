"""Who attends the DSL's initial review meeting (S-INITIAL-REVIEW)."""
from __future__ import annotations

from enum import StrEnum


class AttendeeRole(StrEnum):
    dsl = "dsl"
    deputy_dsl = "deputy_dsl"
    headteacher = "headteacher"
    senior_leader = "senior_leader"
    staff_member = "staff_member"
    other_agency = "other_agency"
