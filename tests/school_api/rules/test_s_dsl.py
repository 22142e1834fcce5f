"""S-DSL: the DSL always records the incident; senior management is always informed."""
from __future__ import annotations

import pytest

from services.school_api.actions.vocabulary import ActionKind as A
from services.school_api.rules.dsl import s_dsl


@pytest.mark.parametrize(
    ("taken", "unmet"),
    [
        ({A.dsl_informed, A.senior_management_informed}, 0),
        ({A.dsl_informed}, 1),
        ({A.senior_management_informed}, 1),
        (set(), 2),
        ({A.parents_informed, A.device_confiscated}, 2),
    ],
)
def test_senior_management_is_always_informed_and_the_dsl_records(taken: set, unmet: int) -> None:
    violations = s_dsl(taken)
    assert len(violations) == unmet
    assert all(v.rule == "S-DSL" for v in violations)
