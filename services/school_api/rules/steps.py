"""The steps of the guidance that a DSL records (issue 12): the initial review meeting, the child's own account,
the consideration of child sexual exploitation, asking the young people to delete imagery, and removal help.

Each function checks one record as it is made; `rules.next_steps` says which of them are still open.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from services.school_api.actions.vocabulary import REMOVAL_HELP, ActionKind, RemovalOutcome
from services.school_api.initial_reviews.vocabulary import AttendeeRole
from services.school_api.people.vocabulary import PersonKind
from shared.problems import RuleViolation

MIN_TEXT_CHARS = 10
CHILDREN = frozenset({PersonKind.pupil, PersonKind.child_elsewhere})
_DSL = frozenset({AttendeeRole.dsl, AttendeeRole.deputy_dsl})


def _written(text: str | None) -> bool:
    return text is not None and len(text.strip()) >= MIN_TEXT_CHARS


def s_initial_review(attendees: Collection[AttendeeRole], decided: str | None) -> list[RuleViolation]:
    """S-INITIAL-REVIEW (UKCIS; APPX8 step 5): after a disclosure the DSL holds an initial review meeting with
    appropriate staff, and records who attended and what was decided. The DSL (or a deputy) is at it."""
    violations = []
    if _DSL.isdisjoint(attendees):
        violations.append(RuleViolation("S-INITIAL-REVIEW", "The initial review meeting is the DSL's: a DSL or deputy DSL attends."))
    if not _written(decided):
        violations.append(RuleViolation("S-INITIAL-REVIEW", "Record what the initial review meeting decided."))
    return violations


def s_child_voice(person_kind: PersonKind, account: str | None, wishes: str | None) -> list[RuleViolation]:
    """S-CHILD-VOICE (UKCIS; S-CHILD-FIRST): the child's own account and wishes are recorded as theirs,
    attributed to a child on the record, and say something (an account, wishes, or both)."""
    violations = []
    if person_kind not in CHILDREN:
        violations.append(RuleViolation("S-CHILD-VOICE", "A child's account is given by a child on the record (pupil or child elsewhere)."))
    if not (_written(account) or _written(wishes)):
        violations.append(RuleViolation("S-CHILD-VOICE", "Record the child's account, their wishes, or both, in their own words."))
    return violations


def s_cse(kind: ActionKind, taken: bool, judgement: str | None) -> list[RuleViolation]:
    """S-CSE (FLOW note 1): whether the incident is child sexual exploitation is considered, and the
    judgement is written down (the log entry's justification)."""
    if kind is ActionKind.exploitation_considered and taken and not _written(judgement):
        return [RuleViolation("S-CSE", "Write the judgement on whether this is child sexual exploitation.")]
    return []


def s_delete(
    kind: ActionKind, taken: bool, due_at: datetime | None, *, managed_in_school: bool, requested: bool
) -> list[RuleViolation]:
    """S-DELETE (UKCIS; APPX8 step 7): an incident managed in school asks the young people to delete the imagery
    from their devices and accounts, by a deadline, and records their confirmation. Staff never delete imagery
    (S-IMAGE), and an incident referred elsewhere keeps it as evidence, so only an incident managed in school
    asks; a confirmation follows a request."""
    violations = []
    if kind is ActionKind.deletion_requested and taken:
        if not managed_in_school:
            violations.append(
                RuleViolation("S-DELETE", "Only an incident managed in school asks for deletion: a referred incident keeps the imagery as evidence.")
            )
        if due_at is None:
            violations.append(RuleViolation("S-DELETE", "Set the deadline (due_at) by which deletion is to be confirmed."))
    if due_at is not None and kind is not ActionKind.deletion_requested:
        violations.append(RuleViolation("S-DELETE", "A deadline (due_at) belongs to a deletion request only."))
    if kind is ActionKind.deletion_confirmed and taken and not requested:
        violations.append(RuleViolation("S-DELETE", "A deletion is confirmed after the young people were asked (deletion_requested)."))
    return violations


def s_removal(kind: ActionKind, taken: bool, outcome: RemovalOutcome | None) -> list[RuleViolation]:
    """S-REMOVAL (APPX8 step 6; UKCIS): help to remove the image (Report Remove, Take It Down, a report to the
    hosting site, CEOP) is an action with an outcome: given help records what came of it."""
    if outcome is None:
        if kind in REMOVAL_HELP and taken:
            return [RuleViolation("S-REMOVAL", f"'{kind.value}' was taken: record its outcome.")]
        return []
    if kind not in REMOVAL_HELP or not taken:
        return [RuleViolation("S-REMOVAL", "An outcome belongs to removal help that was given.")]
    return []
