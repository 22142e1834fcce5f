"""S-REVIEW (APPX8 step 8): review outcomes and procedures."""
from __future__ import annotations

from shared.problems import RuleViolation


def s_review(*, has_decision: bool, has_review: bool) -> list[RuleViolation]:
    """S-REVIEW: an incident is closed only after a decision was recorded and the outcome reviewed."""
    violations = []
    if not has_decision:
        violations.append(RuleViolation("S-REVIEW", "An incident cannot be closed before a decision is recorded."))
    if not has_review:
        violations.append(RuleViolation("S-REVIEW", "An incident cannot be closed before its outcome is reviewed."))
    return violations
