"""S-SEARCH: the four conditions of a device search and the pictured pupil's distress (table-driven)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from services.school_api.rules.search import SearchConditions, s_search

ALL_MET = SearchConditions(
    in_line_with_school_policy=True,
    authorised_by_headteacher=True,
    safeguarding_team_member_present=True,
    searcher_same_sex_as_pupil=True,
    would_add_distress_to_pictured_pupil=False,
)


def test_search_meeting_every_condition_is_allowed() -> None:
    assert s_search(ALL_MET) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"in_line_with_school_policy": False}, "policies"),
        ({"authorised_by_headteacher": False}, "headteacher"),
        ({"safeguarding_team_member_present": False}, "safeguarding team"),
        ({"searcher_same_sex_as_pupil": False}, "same sex"),
        ({"would_add_distress_to_pictured_pupil": True}, "additional stress"),
    ],
)
def test_search_missing_one_condition_is_refused_naming_it(change: dict, words: str) -> None:
    violations = s_search(replace(ALL_MET, **change))
    assert [v.rule for v in violations] == ["S-SEARCH"]
    assert words in violations[0].message


def test_search_by_opposite_sex_without_authorisation_names_both_conditions() -> None:
    violations = s_search(replace(ALL_MET, searcher_same_sex_as_pupil=False, authorised_by_headteacher=False))
    assert len(violations) == 2
