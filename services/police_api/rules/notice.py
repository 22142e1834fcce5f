"""P-NOTICE (FLOW notes 7 and 8): what each young person is told when their crime is finalised
with Outcome 21 and no further action is taken."""
from __future__ import annotations

from datetime import datetime

from services.police_api.crimes.vocabulary import OutcomeCode
from shared.problems import RuleViolation

NOTICE_TEMPLATE = (
    "You have been recorded on police systems against the crime of {crime_type} (Home Office classification "
    "{offence_code}), and the police have taken no further action. "
    "If you apply in future for a job or role that needs an enhanced DBS check, it is unlikely that this record "
    "will be disclosed unless it shows a pattern of behaviour; any decision to disclose it rests on all the "
    "information available at that time. Being the subject of such a crime record may be disclosed later and "
    "may affect employability."
)


def check_notice_applies(outcome: OutcomeCode | None) -> list[RuleViolation]:
    """P-NOTICE: the notice belongs to a crime finalised with Outcome 21."""
    if outcome is not OutcomeCode.further_investigation_not_in_public_interest:
        return [RuleViolation("P-NOTICE", "Young-person notices are produced for a crime finalised with Outcome 21.")]
    return []


def young_person_notice(*, crime_type: str, offence_code: str) -> str:
    """P-NOTICE: the FLOW note 8 text with the crime type filled in."""
    return NOTICE_TEMPLATE.format(crime_type=crime_type[:1].lower() + crime_type[1:], offence_code=offence_code)


def check_notice_given(*, on_the_notices: bool, given_at: datetime, finalised_at: datetime | None, now: datetime) -> list[RuleViolation]:
    """P-NOTICE: a notice is given to a young person who is owed one, after the outcome and not in the future."""
    v: list[RuleViolation] = []
    if not on_the_notices:
        v.append(RuleViolation("P-NOTICE", "That person is not a young person on this crime's notices."))
    if given_at > now:
        v.append(RuleViolation("P-NOTICE", "A notice cannot be given in the future."))
    if finalised_at is not None and given_at < finalised_at:
        v.append(RuleViolation("P-NOTICE", "A notice is given after the crime is finalised with Outcome 21."))
    return v
