"""S-DSL (APPX8 step 4): the DSL always records the incident; senior management is always informed."""
from __future__ import annotations

from collections.abc import Iterable

from services.school_api.actions.vocabulary import ActionKind
from shared.problems import RuleViolation


def s_dsl(actions_taken: Iterable[ActionKind]) -> list[RuleViolation]:
    """S-DSL, as this service expresses it: before a decision is recorded or an incident closed, the action
    log must show (taken = true) that the DSL was informed and that senior management was informed. The
    decision itself can only be made by a DSL or deputy DSL (access policy)."""
    taken = set(actions_taken)
    violations = []
    if ActionKind.dsl_informed not in taken:
        violations.append(RuleViolation("S-DSL", "The DSL must be informed and record the incident: log 'dsl_informed' as taken."))
    if ActionKind.senior_management_informed not in taken:
        violations.append(
            RuleViolation("S-DSL", "Senior management is always informed: log 'senior_management_informed' as taken.")
        )
    return violations
