"""P-TRIAGE: the school's immediate-referral criteria (S-IMMEDIATE), sent as structured data, propose the
report's triage priority, so that a child at risk of immediate harm comes first in the intake queue.

- a young person at immediate risk of harm (S-IMMEDIATE 5): immediate;
- any other S-IMMEDIATE criterion (an adult, coercion or capacity, unusual or violent acts, sexual acts
  with a pupil under 13): priority;
- none: standard.
The call handler's own triage, once made, replaces the proposal.
"""
from __future__ import annotations

from collections.abc import Iterable

from services.police_api.reports.schemas import ImmediateCriterion, TriagePriority

# The queue's order: immediate first.
PRIORITY_ORDER: dict[TriagePriority, int] = {TriagePriority.immediate: 0, TriagePriority.priority: 1, TriagePriority.standard: 2}


def proposed_priority(criteria: Iterable[ImmediateCriterion]) -> TriagePriority:
    """P-TRIAGE: the priority the school's S-IMMEDIATE criteria call for."""
    met = set(criteria)
    if ImmediateCriterion.immediate_risk_of_harm in met:
        return TriagePriority.immediate
    if met:
        return TriagePriority.priority
    return TriagePriority.standard
