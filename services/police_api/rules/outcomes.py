"""P-OUTCOME21, P-OUTCOME22, P-NO-CRIMINALISE and P-AGE-OF-RESPONSIBILITY: whether a crime may be
finalised with an outcome.

Each function returns EVERY unmet condition, so a refusal names them all, and each finding that still
calls for a full investigation by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.police_api.crimes.vocabulary import OutcomeCode
from services.police_api.rules.links import SELF_IMAGE_ROLES
from shared.problems import RuleViolation

_O = OutcomeCode
# Outcomes that prosecute, formally sanction, or resolve the suspect as an offender (P-NO-CRIMINALISE):
# a community resolution is recorded against the child as an offender too.
CRIMINALISING_OUTCOMES = frozenset(
    {_O.charged_summonsed, _O.caution_youth, _O.caution_adult, _O.penalty_notice_for_disorder, _O.community_resolution}
)
# Outcomes that name an identified suspect or offender (P-AGE-OF-RESPONSIBILITY). Not 11 (prosecution
# prevented, suspect under age: the outcome for exactly this case), 14 and 18 (no suspect identified),
# 19 (fraud, filed) and 20 (transferred); 0 is refused on its own.
SUSPECT_OUTCOMES = frozenset(OutcomeCode) - {
    _O.not_yet_assigned,
    _O.prosecution_prevented_suspect_under_age,
    _O.evidential_difficulties_suspect_not_identified_victim_does_not_support,
    _O.investigation_complete_no_suspect_identified,
    _O.nfib_filed_fraud,
    _O.further_investigation_transferred_to_another_body,
}


@dataclass(frozen=True)
class OutcomeFacts:
    crime_recorded: bool
    unacknowledged_ppu_notifications: int
    named_suspects_or_persons_involved: int
    adult_implicated: bool
    repeat_flagged: bool
    # The repeat flag set aside by a supervisor's route override with a written reason (P-REPEAT).
    checks_overridden_with_reason: bool
    public_interest_rationale: str | None
    victim_is_child: bool
    contacts_recorded: frozenset[str] = field(default_factory=frozenset)  # ContactedParty values
    no_prosecution_decision_recorded: bool = False
    # Findings (FullInvestigationIndicator values) that stand and are not overridden (P-FULL-INVESTIGATION).
    unresolved_findings: tuple[str, ...] = ()
    # Named suspects or persons involved on the crime with no diversionary, educational or intervention
    # activity of their own (an offender input, or a restorative meeting they attended; P-OUTCOME22).
    named_subjects_without_activity: int = 0
    # Children on the crime as suspect whose only part was taking or sending images of themselves.
    self_image_only_child_suspects: int = 0
    # Suspects on the crime under the age of criminal responsibility (P-AGE-OF-RESPONSIBILITY).
    under_age_subjects: int = 0


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def _finding_violations(facts: OutcomeFacts, outcome: int) -> list[RuleViolation]:
    return [
        RuleViolation(
            "P-FULL-INVESTIGATION",
            f"The finding '{finding.replace('_', ' ')}' calls for a full investigation and is not overridden: "
            f"Outcome {outcome} does not apply.",
        )
        for finding in sorted(facts.unresolved_findings)
    ]


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
    v += _finding_violations(facts, 21)
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
    """P-OUTCOME22: a named suspect, diversionary, educational or intervention activity undertaken by that
    suspect (a lesson or assembly for the whole school is not one), and further action not in the public
    interest (a rationale is written)."""
    v: list[RuleViolation] = []
    if not facts.crime_recorded:
        v.append(RuleViolation("P-CRIME", "The crime is not recorded."))
    if facts.named_suspects_or_persons_involved == 0:
        v.append(RuleViolation("P-OUTCOME22", "No named suspect or person involved is linked to the crime."))
    if facts.named_subjects_without_activity:
        v.append(
            RuleViolation(
                "P-OUTCOME22",
                f"{facts.named_subjects_without_activity} named suspect(s) on the crime have no diversionary, educational "
                "or intervention activity of their own (an offender input or a restorative meeting they attended).",
            )
        )
    v += _finding_violations(facts, 22)
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


def age_of_responsibility_violations(code: OutcomeCode, facts: OutcomeFacts) -> list[RuleViolation]:
    """P-AGE-OF-RESPONSIBILITY: an outcome that names a suspect is refused while a suspect on the crime is
    under 10 (Outcome 11, prosecution prevented as the suspect is under age, is the one that fits)."""
    if code in SUSPECT_OUTCOMES and facts.under_age_subjects:
        return [
            RuleViolation(
                "P-AGE-OF-RESPONSIBILITY",
                f"{facts.under_age_subjects} suspect(s) on the crime are under the age of criminal responsibility: "
                f"Outcome {code.value} implies a suspect who can offend.",
            )
        ]
    return []


def outcome_violations(code: OutcomeCode, facts: OutcomeFacts) -> list[RuleViolation]:
    """Every unmet condition for finalising a crime with `code`."""
    if code is OutcomeCode.not_yet_assigned:
        return [RuleViolation("P-CRIME", "Outcome 0 means not yet assigned; a crime is finalised with an actual outcome.")]
    if code is OutcomeCode.further_investigation_not_in_public_interest:
        v = outcome21_violations(facts)
    elif code is OutcomeCode.diversionary_educational_or_intervention_activity:
        v = outcome22_violations(facts)
    else:
        v = no_criminalise_violations(code, facts)
        if not facts.crime_recorded:
            v.append(RuleViolation("P-CRIME", "The crime is not recorded."))
    return v + age_of_responsibility_violations(code, facts)


def is_self_image_only(reported_roles: list[str]) -> bool:
    """P-NO-CRIMINALISE: the child's reported part was their own image (pictured, and at most sent it,
    received another's or disclosed): the same test as the one intake links such a child by (rules.links)."""
    roles = set(reported_roles)
    return "pictured" in roles and roles <= SELF_IMAGE_ROLES
