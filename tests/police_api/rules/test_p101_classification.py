"""P-101: never a School Crime Beat incident."""
from __future__ import annotations

import pytest

from services.police_api.incidents.vocabulary import IncidentClassification
from services.police_api.rules.classification import check_classification


@pytest.mark.parametrize(
    ("classification", "refused"),
    [
        (IncidentClassification.school_crime_beat, True),
        (IncidentClassification.youth_produced_sexual_imagery, False),
        (IncidentClassification.child_sexual_exploitation, False),
    ],
)
def test_p101_school_crime_beat_is_never_a_classification(classification: IncidentClassification, refused: bool) -> None:
    violations = check_classification(classification)
    assert bool(violations) is refused
    assert all(v.rule == "P-101" for v in violations)
