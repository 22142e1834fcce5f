"""S-RECORD: every action taken and not taken, each with its justification."""
from __future__ import annotations

import pytest

from services.school_api.actions.vocabulary import ActionKind as A
from services.school_api.rules.record import s_record

WHY = "Parents are the alleged source of pressure."


@pytest.mark.parametrize(
    ("kind", "taken", "justification", "refused"),
    [
        (A.parents_informed, True, None, False),
        (A.parents_informed, False, None, True),  # an action not taken needs its justification
        (A.parents_informed, False, "", True),
        (A.parents_informed, False, WHY, False),
        (A.police_referral, False, None, True),  # not referring is an action not taken
        (A.image_viewed, True, None, True),  # viewing always needs reasons (S-IMAGE)
        (A.image_viewed, True, WHY, False),
        (A.other, True, None, True),
        (A.counselling_or_support, True, None, False),
    ],
)
def test_action_not_taken_needs_a_justification(kind: A, taken: bool, justification: str | None, refused: bool) -> None:
    violations = s_record(kind, taken, justification)
    assert bool(violations) is refused
    assert all(v.rule == "S-RECORD" for v in violations)
