"""S-CHILD-FIRST: viewing or searching that may add distress is a judgement to record."""
from __future__ import annotations

import pytest

from services.school_api.rules.child_first import s_child_first


@pytest.mark.parametrize(
    ("judgement", "refused"),
    [
        (None, True),
        ("", True),
        ("ok", True),
        ("Pupil consulted; search will not add distress, parent present.", False),
    ],
)
def test_distress_judgement_must_be_recorded_before_search_or_viewing(judgement: str | None, refused: bool) -> None:
    violations = s_child_first(judgement, activity="search")
    assert bool(violations) is refused
    assert all(v.rule == "S-CHILD-FIRST" for v in violations)
