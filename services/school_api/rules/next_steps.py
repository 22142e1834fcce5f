"""What the guidance still expects of an incident, given what is recorded (issue 12): the next-steps answer.

A step is settled by its own record or its log entry taken, or by a log entry *not taken*, which S-RECORD
makes carry its justification: a reason recorded is an answer to the guidance too. Closing is refused while
a required step is neither done nor reasoned (`closing_violations`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.school_api.actions.vocabulary import ActionKind as A
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.next_steps.vocabulary import StepKind as K
from shared.problems import RuleViolation


@dataclass(frozen=True)
class LoggedAction:
    kind: A
    taken: bool
    due_at: datetime | None = None


@dataclass(frozen=True)
class CaseFacts:
    """What the record says, in plain values (the service reads it; this module stays pure)."""

    actions: tuple[LoggedAction, ...] = ()
    assessed: bool = False
    decision: DecisionOutcome | None = None  # the decision that stands (the latest)
    parents_to_be_informed: bool = False  # the standing decision says to inform them (S-PARENTS)
    reviewed_since_decision: bool = False
    school_device_or_network: bool = False
    image_online: bool = False  # the record says where the image ended up, or that it spread widely
    abuse_risk: bool = False  # an adult involved or a coercer on the record (CEOP)


@dataclass(frozen=True)
class NextStep:
    kind: K
    rule: str
    step: int  # APPX8 step
    text: str
    required: bool
    due_at: datetime | None = None


_SETTLED_BY = {
    K.dsl_informed: (A.dsl_informed,),
    K.senior_management_informed: (A.senior_management_informed,),
    K.block_network_and_isolate_image: (A.network_blocked_image_isolated,),
    K.initial_review_meeting: (A.initial_review_meeting,),
    K.child_account: (A.child_account_heard,),
    K.consider_exploitation: (A.exploitation_considered,),
    K.inform_parents: (A.parents_informed,),
    K.report_remove_or_take_it_down: (A.report_remove_advised, A.take_it_down_advised),
    K.report_to_hosting_site: (A.reported_to_hosting_site,),
    K.ceop_report: (A.ceop_report,),
    K.ask_for_deletion: (A.deletion_requested,),
    K.confirm_deletion: (A.deletion_confirmed,),
}
# Closing checks these with their own rules (S-DSL, S-REVIEW), which name them already.
_CHECKED_AT_CLOSING_BY_THEIR_OWN_RULE = frozenset({K.dsl_informed, K.senior_management_informed, K.risk_assessment, K.decision, K.review})


def _logged(facts: CaseFacts, kinds: Iterable[A]) -> bool:
    kinds = set(kinds)
    return any(action.kind in kinds for action in facts.actions)


def next_steps(facts: CaseFacts) -> list[NextStep]:
    """Every step the guidance still expects, in the order of APPX8, each with its rule id and step number
    and whether closing waits for it."""
    expected = [
        NextStep(K.dsl_informed, "S-DSL", 4, "Inform the DSL, who records the incident (step 4).", True),
        NextStep(K.senior_management_informed, "S-DSL", 4, "Inform senior management (step 4).", True),
    ]
    if facts.school_device_or_network:
        expected.append(
            NextStep(
                K.block_network_and_isolate_image, "S-IMAGE", 3,
                "Device is a school device: block the network and isolate the image (step 3).", True,
            )
        )
    expected += [
        NextStep(K.initial_review_meeting, "S-INITIAL-REVIEW", 5, "Hold the DSL's initial review meeting: record who attended and what was decided (step 5).", True),
        NextStep(K.child_account, "S-CHILD-VOICE", 5, "Hear the child's own account and wishes, and record them as theirs (step 5).", True),
        NextStep(K.consider_exploitation, "S-CSE", 5, "Consider whether this is child sexual exploitation and record the judgement (step 5).", True),
    ]
    if not facts.assessed:
        expected.append(NextStep(K.risk_assessment, "S-IMMEDIATE", 5, "Carry out the risk assessment (step 5).", True))
    elif facts.decision is None:
        expected.append(NextStep(K.decision, "S-POLICE", 5, "Decide: refer to the police, to children's social care, or manage in school (step 5).", True))
    if facts.parents_to_be_informed:
        expected.append(NextStep(K.inform_parents, "S-PARENTS", 5, "Inform the parents or carers, as decided (step 5).", True))
    if facts.image_online:
        expected += [
            NextStep(K.report_remove_or_take_it_down, "S-REMOVAL", 6, "Help the young person have the image removed: Report Remove or Take It Down (step 6).", False),
            NextStep(K.report_to_hosting_site, "S-REMOVAL", 6, "Report the image to the site hosting it (step 6).", False),
        ]
    if facts.abuse_risk:
        expected.append(NextStep(K.ceop_report, "S-REMOVAL", 6, "A child may be at risk of abuse: consider a report to CEOP (step 6).", False))
    if facts.decision is DecisionOutcome.manage_in_school:
        expected.append(
            NextStep(K.ask_for_deletion, "S-DELETE", 7, "Ask the young people to delete the imagery, with a deadline to confirm it (step 7).", True)
        )
    requests = [action for action in facts.actions if action.kind is A.deletion_requested and action.taken]
    if requests:
        # By the deadline of the latest request (a request repeated sets a new one).
        expected.append(
            NextStep(
                K.confirm_deletion, "S-DELETE", 7, "Record the young people's confirmation that the imagery is deleted (step 7).", True,
                requests[-1].due_at,
            )
        )
    if facts.decision is not None and not facts.reviewed_since_decision:
        expected.append(NextStep(K.review, "S-REVIEW", 8, "Review the outcome and the procedure (step 8).", True))
    return [step for step in expected if not _logged(facts, _SETTLED_BY.get(step.kind, ()))]


def closing_violations(steps: Iterable[NextStep]) -> list[RuleViolation]:
    """S-RECORD: an incident is closed only when every required step is done, or recorded as not taken with
    its reason. Steps that closing checks by their own rule (S-DSL, S-REVIEW) are left to it."""
    return [
        RuleViolation(step.rule, f"Open step: {step.text} Record it, or log it as not taken with the reason.")
        for step in steps
        if step.required and step.kind not in _CHECKED_AT_CLOSING_BY_THEIR_OWN_RULE
    ]
