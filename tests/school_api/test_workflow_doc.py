"""docs/school-workflow.md lists every school operation with the roles POLICY gives it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.school_api.access import POLICY, SchoolRole

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

DOC = Path(__file__).resolve().parents[2] / "docs" / "school-workflow.md"
ROW = re.compile(r"^\| (GET|POST|PATCH|PUT|DELETE) \| `([^`]+)` \| `([a-z_]+)` \| ([a-z_, ]+) \|$")


def test_endpoint_table_matches_the_access_policy() -> None:
    rows = [ROW.match(line) for line in DOC.read_text().splitlines()]
    documented = {m.group(3): frozenset(SchoolRole(r.strip()) for r in m.group(4).split(",")) for m in rows if m}
    assert documented == POLICY


def test_every_rule_id_of_the_domain_is_documented_with_its_function() -> None:
    text = DOC.read_text()
    for rule in ("S-SEARCH", "S-IMAGE", "S-DSL", "S-RECORD", "S-IMMEDIATE", "S-FACTORS", "S-TYPOLOGY", "S-POLICE", "S-PARENTS", "S-CHILD-FIRST", "S-REVIEW",
                 "S-INITIAL-REVIEW", "S-CHILD-VOICE", "S-CSE", "S-DELETE", "S-REMOVAL"):
        assert f"| {rule} | `rules/" in text, rule
