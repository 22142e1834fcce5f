"""S-CHILD-FIRST (APPX8): the child's best interests come first."""
from __future__ import annotations

from shared.problems import RuleViolation

MIN_JUDGEMENT_CHARS = 10


def s_child_first(distress_judgement: str | None, *, activity: str) -> list[RuleViolation]:
    """S-CHILD-FIRST: viewing or searching that could add distress is a judgement to record. A search or an
    image viewing is refused unless the judgement about the child's distress is written down."""
    if distress_judgement is None or len(distress_judgement.strip()) < MIN_JUDGEMENT_CHARS:
        return [
            RuleViolation(
                "S-CHILD-FIRST",
                f"Record the judgement on whether the {activity} would add to the child's distress (best interests first).",
            )
        ]
    return []
