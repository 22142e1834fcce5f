"""P-OUTCOME21, P-OUTCOME22 and P-NO-CRIMINALISE: whether a crime may be finalised with an outcome.

Each function returns EVERY unmet condition, so a refusal names them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.police_api.crimes.vocabulary import OutcomeCode
from shared.problems import RuleViolation

# Outcomes that prosecute or formally sanction the suspect (P-NO-CRIMINALISE).
CRIMINALISING_OUTCOMES = frozenset(
    {OutcomeCode.charged_summonsed, OutcomeCode.caution_youth, OutcomeCode.caution_adult, OutcomeCode.penalty_notice_for_disorder}
)


@dataclass(frozen=True)
class OutcomeFacts:
    crime_recorded: bool
    unacknowledged_ppu_notifications: int
    named_suspects_or_persons_involved: int
    adult_implicated: bool
    repeat_flagged: bool
    full_investigation_flagged: bool
    checks_overridden_with_reason: bool
    public_interest_rationale: str | None
    victim_is_child: bool
    contacts_recorded: frozenset[str] = field(default_factory=frozenset)  # ContactedParty values
    no_prosecution_decision_recorded: bool = False
    diversionary_activity_recorded: bool = False
    # Children on the crime as suspect whose only part was taking or sending images of themselves.
    self_image_only_child_suspects: int = 0


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def outcome21_violations(facts: OutcomeFacts) -> list[RuleViolation]:
    """P-OUTCOME21 (Home Office 2016, force checklists, P-FULL-INVESTIGATION, P-REPEAT, P-PPU, P-ROUTE)."""
    v: list[RuleViolation] = []
    if not facts.crime_recorded:
        v.append(RuleViolation("P-CRIME", "The crime is not recorded."))
    if facts.unacknowledged_ppu_notifications:
        v.append(
            RuleViolation("P-PPU", f"{facts.unacknowledged_ppu_notifications} child PPU notification(s) not acknowledged.")
        )
    if facts.named_suspects_or_persons_involved == 0:
        v.append(RuleViolation("P-OUTCOME21", "No named suspect or person involved is linked to the crime."))
    if facts.adult_implicated:
        v.append(RuleViolation("P-FULL-INVESTIGATION", "An adult is implicated: Outcome 21 does not apply."))
    if facts.repeat_flagged and not facts.checks_overridden_with_reason:
        v.append(RuleViolation("P-REPEAT", "A suspect is flagged as a repeat and no override with a reason is recorded."))
    if facts.full_investigation_flagged and not facts.checks_overridden_with_reason:
        v.append(
            RuleViolation(
                "P-FULL-INVESTIGATION", "Findings call for a full investigation and no override with a reason is recorded."
            )
        )
    if not facts.no_prosecution_decision_recorded:
        v.append(RuleViolation("P-ROUTE", "No recorded decision not to prosecute (the SCPO route)."))
    if not _has_text(facts.public_interest_rationale):
        v.append(RuleViolation("P-OUTCOME21", "No public-interest rationale is written."))
    informed = "parent_or_guardian" in facts.contacts_recorded or (
        not facts.victim_is_child and "victim" in facts.contacts_recorded
    )
    if not informed:
        who = "a parent or guardian of the child victim" if facts.victim_is_child else "the victim"
        v.append(RuleViolation("P-OUTCOME21", f"No recorded contact informing {who} of the outcome."))
    return v


def outcome22_violations(facts: OutcomeFacts) -> list[RuleViolation]:
    """P-OUTCOME22: diversionary, educational or intervention activity has been undertaken (recorded),
    and further action is not in the public interest (a rationale is written)."""
    v: list[RuleViolation] = []
    if not facts.crime_recorded:
        v.append(RuleViolation("P-CRIME", "The crime is not recorded."))
    if not facts.diversionary_activity_recorded:
        v.append(RuleViolation("P-OUTCOME22", "No diversionary, educational or intervention activity is recorded."))
    if not _has_text(facts.public_interest_rationale):
        v.append(RuleViolation("P-OUTCOME22", "No rationale that further action is not in the public interest."))
    return v


def no_criminalise_violations(code: OutcomeCode, facts: OutcomeFacts) -> list[RuleViolation]:
    """P-NO-CRIMINALISE: police do not prosecute or criminalise children for taking images of themselves
    and sharing them; a sanction outcome is refused where a suspect's only part was their own image."""
    if code in CRIMINALISING_OUTCOMES and facts.self_image_only_child_suspects:
        return [
            RuleViolation(
                "P-NO-CRIMINALISE",
                "A child suspect only took or shared images of themselves: prosecution or a formal sanction is refused.",
            )
        ]
    return []


def outcome_violations(code: OutcomeCode, facts: OutcomeFacts) -> list[RuleViolation]:
    """Every unmet condition for finalising a crime with `code`."""
    if code is OutcomeCode.not_yet_assigned:
        return [RuleViolation("P-CRIME", "Outcome 0 means not yet assigned; a crime is finalised with an actual outcome.")]
    if code is OutcomeCode.further_investigation_not_in_public_interest:
        return outcome21_violations(facts)
    if code is OutcomeCode.diversionary_educational_or_intervention_activity:
        return outcome22_violations(facts)
    v = no_criminalise_violations(code, facts)
    if not facts.crime_recorded:
        v.append(RuleViolation("P-CRIME", "The crime is not recorded."))
    return v


def is_self_image_only(reported_roles: list[str]) -> bool:
    """P-NO-CRIMINALISE: the child's reported part was their own image (pictured, and at most sent it)."""
    roles = set(reported_roles)
    return "pictured" in roles and roles <= {"pictured", "sender", "discloser"}
