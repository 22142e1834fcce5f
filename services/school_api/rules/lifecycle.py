"""The incident's status machine: open → assessed → referred | managed_in_school → reviewed → closed.

Not a guidance rule by itself; it is the order APPX8 steps 5 to 8 imply (assess, decide, review), and
closing is further guarded by S-REVIEW and S-DSL.
"""
from __future__ import annotations

from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.incidents.vocabulary import IncidentStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.open: frozenset({S.assessed}),
    # A decision follows an assessment (APPX8 step 5: "carry out a risk assessment; refer if needed").
    S.assessed: frozenset({S.referred, S.managed_in_school}),
    # S-IMMEDIATE "also at any later point": an incident referred to children's social care only can still be
    # referred to the police (it stays referred).
    S.referred: frozenset({S.referred, S.reviewed}),
    # S-IMMEDIATE "also at any later point": a new concern about an incident managed in school escalates it.
    S.managed_in_school: frozenset({S.referred, S.reviewed}),
    # ... and so does a concern that comes after the review, until the incident is closed.
    S.reviewed: frozenset({S.referred, S.closed}),
    S.closed: frozenset(),
}
_ESCALATES_FROM = frozenset({S.managed_in_school, S.referred, S.reviewed})


def can_transition(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def may_decide(current: S, *, assessed_since_last_decision: bool, outcome: DecisionOutcome, police_referred: bool) -> bool:
    """A decision follows an assessment. A later decision, after a new assessment, only escalates (S-IMMEDIATE:
    a referral is made whenever, at any later point, there is a concern that a young person has been harmed or
    is at risk): to the police from any decided, not closed state while no police referral exists yet; to
    children's social care from an incident managed in school."""
    if current is S.assessed:
        return True
    if not assessed_since_last_decision:
        return False
    if outcome is DecisionOutcome.refer_police:
        return current in _ESCALATES_FROM and not police_referred
    return outcome is DecisionOutcome.refer_social_care and current is S.managed_in_school
