"""S-SEARCH (APPX8 step 2): the conditions for searching a device."""
from __future__ import annotations

from dataclasses import dataclass

from shared.problems import RuleViolation


@dataclass(frozen=True)
class SearchConditions:
    in_line_with_school_policy: bool
    # A headteacher's authorisation of a device search is on the record for this incident.
    authorised_by_headteacher: bool
    safeguarding_team_member_present: bool
    searcher_same_sex_as_pupil: bool
    would_add_distress_to_pictured_pupil: bool


def s_search(conditions: SearchConditions) -> list[RuleViolation]:
    """S-SEARCH: in line with the school's policies; done by the head or a person they authorise; a member
    of the safeguarding team present; the searcher of the same sex as the pupil; and not done if it would
    cause additional stress to the pupil pictured. Every unmet condition is named."""
    violations = []
    if not conditions.in_line_with_school_policy:
        violations.append(RuleViolation("S-SEARCH", "The search must be in line with the school's policies."))
    if not conditions.authorised_by_headteacher:
        violations.append(
            RuleViolation("S-SEARCH", "A search is done by the headteacher or a person they authorise: no headteacher authorisation is recorded.")
        )
    if not conditions.safeguarding_team_member_present:
        violations.append(RuleViolation("S-SEARCH", "A member of the safeguarding team must be present."))
    if not conditions.searcher_same_sex_as_pupil:
        violations.append(RuleViolation("S-SEARCH", "The searcher must be of the same sex as the pupil."))
    if conditions.would_add_distress_to_pictured_pupil:
        violations.append(
            RuleViolation("S-SEARCH", "Do not search if it would cause additional stress to the pupil pictured.")
        )
    return violations
