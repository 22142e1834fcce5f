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
    S.managed_in_school: frozenset({S.reviewed}),
    S.reviewed: frozenset({S.closed}),
    S.closed: frozenset(),
}


def can_transition(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]
