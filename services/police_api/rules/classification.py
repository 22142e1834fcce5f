"""P-101: a school's report of youth-produced sexual imagery is a serious incident, recorded on
police systems, and can never be a School Crime Beat incident (FLOW note 4)."""
from __future__ import annotations

from services.police_api.incidents.vocabulary import IncidentClassification
from shared.problems import RuleViolation


def check_classification(classification: IncidentClassification) -> list[RuleViolation]:
    """P-101: refuse the School Crime Beat classification wherever a classification is set."""
    if classification is IncidentClassification.school_crime_beat:
        return [
            RuleViolation(
                "P-101",
                "A youth-produced sexual imagery incident is a serious incident recorded on police systems; "
                "it can never be a School Crime Beat incident.",
            )
        ]
    return []
