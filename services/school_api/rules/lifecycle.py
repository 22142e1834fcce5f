"""The incident's status machine: open → assessed → referred | managed_in_school → reviewed → closed.

Not a guidance rule by itself; it is the order APPX8 steps 5 to 8 imply (assess, decide, review), and
closing is further guarded by S-REVIEW and S-DSL.
"""
from __future__ import annotations

from services.school_api.incidents.vocabulary import IncidentStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.open: frozenset({S.assessed}),
    # A decision follows an assessment (APPX8 step 5: "carry out a risk assessment; refer if needed").
    S.assessed: frozenset({S.referred, S.managed_in_school}),
    S.referred: frozenset({S.reviewed}),
    # S-IMMEDIATE "also at any later point": a new concern about an incident managed in school escalates it.
    S.managed_in_school: frozenset({S.referred, S.reviewed}),
    S.reviewed: frozenset({S.closed}),
    S.closed: frozenset(),
}


def can_transition(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def may_decide(current: S, *, assessed_since_last_decision: bool, refers: bool) -> bool:
    """A decision follows an assessment. A second decision is allowed only to escalate an incident managed in
    school after a new assessment (S-IMMEDIATE: a referral is made whenever, at any later point, there is a
    concern that a young person has been harmed or is at risk)."""
    if current is S.assessed:
        return True
    return current is S.managed_in_school and assessed_since_last_decision and refers
