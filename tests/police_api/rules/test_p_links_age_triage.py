"""P-CRIME link roles (children as victims, the 2024 "person involved"), the report contract's "adult
involved", P-AGE-OF-RESPONSIBILITY, P-THIRD-PARTY, P-N100, P-TRIAGE, and the finding decisions of
P-FULL-INVESTIGATION."""
from __future__ import annotations

from datetime import date

import pytest

from services.police_api.crimes.vocabulary import CrimeBasis
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.reports.schemas import ImmediateCriterion, TriagePriority
from services.police_api.routing.vocabulary import RANK_ORDER, FullInvestigationIndicator as F, PoliceRank
from services.police_api.rules.crime import check_crime_basis, crime_basis, crime_related_incident_code
from services.police_api.rules.links import (
    below_criminal_responsibility,
    check_link_role,
    contract_kind,
    derive_link_role,
    is_aggravated,
    link_involves_adult,
)
from services.police_api.rules.offences import age_in_years
from services.police_api.rules.route import check_finding_decision, check_findings_change, unresolved_findings
from services.police_api.rules.triage import PRIORITY_ORDER, proposed_priority

C, A, U = PersonAge.child, PersonAge.adult, PersonAge.unknown


@pytest.mark.parametrize(
    ("roles", "age", "aggravated", "expected"),
    [
        # Children are dealt with as victims: their own image, sent or not, makes them a victim only.
        (["pictured"], C, False, LinkRole.victim),
        (["pictured", "sender"], C, False, LinkRole.victim),
        (["pictured", "sender"], C, True, LinkRole.victim),
        (["pictured", "sender", "recipient"], C, True, LinkRole.victim),
        (["pictured", "discloser"], C, True, LinkRole.victim),
        # Pictured and passing on or keeping images: both only where the case is aggravated.
        (["pictured", "sharer"], C, True, LinkRole.victim_and_suspect),
        (["pictured", "sharer"], C, False, LinkRole.victim),
        (["pictured", "possessor"], C, True, LinkRole.victim_and_suspect),
        # A child in a non-aggravated case is a person involved, never a suspect.
        (["sender"], C, False, LinkRole.person_involved),
        (["sharer"], C, False, LinkRole.person_involved),
        (["requester"], C, False, LinkRole.person_involved),
        (["sharer"], C, True, LinkRole.suspect),
        (["requester"], C, True, LinkRole.suspect),
        # Possessors in a group chat who did not distribute: persons involved, even in an aggravated case.
        (["possessor"], C, False, LinkRole.person_involved),
        (["possessor"], C, True, LinkRole.person_involved),
        (["possessor", "recipient"], C, True, LinkRole.person_involved),
        (["coercer"], C, False, LinkRole.suspect),
        (["recipient"], C, True, LinkRole.witness),
        (["discloser"], C, False, LinkRole.witness),
        # Adult involved (the report contract): an adult or unknown-age person who took part is a suspect.
        (["recipient"], A, False, LinkRole.suspect),
        (["requester"], A, False, LinkRole.suspect),
        (["sender"], A, True, LinkRole.suspect),
        (["coercer"], A, True, LinkRole.suspect),
        (["possessor"], U, False, LinkRole.suspect),
        (["recipient"], U, False, LinkRole.suspect),
        (["pictured", "sender"], U, False, LinkRole.victim_and_suspect),
        (["pictured"], U, False, LinkRole.victim),
        # An adult who only disclosed, or is only pictured, takes no part in the conduct.
        (["discloser"], A, False, LinkRole.witness),
        (["pictured"], A, True, LinkRole.witness),
        (["discloser"], U, False, LinkRole.witness),
    ],
)
def test_intake_proposes_link_roles_that_treat_children_as_victims(
    roles: list[str], age: PersonAge, aggravated: bool, expected: LinkRole
) -> None:
    assert derive_link_role(roles, age, aggravated=aggravated) is expected


@pytest.mark.parametrize(
    ("roles", "aggravated", "age_years", "expected"),
    [
        (["coercer"], True, 9, LinkRole.witness),
        (["sharer"], True, 9, LinkRole.witness),
        (["possessor"], False, 9, LinkRole.witness),
        (["pictured", "sharer"], True, 9, LinkRole.victim),
        (["pictured"], True, 9, LinkRole.victim),
        (["sharer"], True, 10, LinkRole.suspect),
        (["pictured", "sharer"], True, 10, LinkRole.victim_and_suspect),
        (["sharer"], True, None, LinkRole.suspect),
    ],
)
def test_a_child_under_10_is_never_proposed_as_an_offender(
    roles: list[str], aggravated: bool, age_years: int | None, expected: LinkRole
) -> None:
    assert derive_link_role(roles, C, aggravated=aggravated, age_years=age_years) is expected


@pytest.mark.parametrize(
    ("role", "age_years", "refused"),
    [
        (LinkRole.suspect, 9, True),
        (LinkRole.victim_and_suspect, 9, True),
        (LinkRole.person_involved, 0, True),
        (LinkRole.victim, 9, False),
        (LinkRole.witness, 9, False),
        (LinkRole.suspect, 10, False),
        (LinkRole.suspect, None, False),
    ],
)
def test_a_child_under_10_is_never_linked_as_an_offender(role: LinkRole, age_years: int | None, refused: bool) -> None:
    violations = check_link_role(role, age_years)
    assert [(v.rule, v.message) for v in violations] == (
        [("P-AGE-OF-RESPONSIBILITY", "A child under 10 is below the age of criminal responsibility and is never linked as an offender.")]
        if refused
        else []
    )


def test_the_age_of_criminal_responsibility_is_10() -> None:
    assert below_criminal_responsibility(9) and not below_criminal_responsibility(10)
    assert not below_criminal_responsibility(None)


def test_age_in_years_comes_from_the_date_of_birth_then_the_stated_age() -> None:
    assert age_in_years(date_of_birth=date(2017, 6, 2), age_years=12, on=date(2026, 6, 1)) == 8
    assert age_in_years(date_of_birth=date(2017, 6, 2), age_years=None, on=date(2026, 6, 2)) == 9
    assert age_in_years(date_of_birth=None, age_years=12, on=date(2026, 6, 1)) == 12
    assert age_in_years(date_of_birth=None, age_years=None, on=date(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("typology", "people", "aggravated"),
    [
        ("experimental_romantic", [(["pictured", "sender"], C)], False),
        ("aggravated_youth_reckless_misuse", [(["sharer"], C)], True),
        (None, [(["sender"], A)], True),
        (None, [(["coercer"], C)], True),
        # An adult who received a child's image, or an unknown person online who asked for one: adult involved.
        (None, [(["recipient"], A)], True),
        ("experimental_romantic", [(["requester"], U)], True),
        # A parent who disclosed is not involved in the conduct.
        ("experimental_other", [(["discloser"], A), (["pictured", "sender"], C)], False),
        (None, [], False),
    ],
)
def test_a_case_is_aggravated_when_the_school_says_so_or_an_adult_or_coercer_is_involved(
    typology: str | None, people: list, aggravated: bool
) -> None:
    assert is_aggravated(typology, people) is aggravated


def test_the_police_age_maps_to_the_report_contracts_person_kind() -> None:
    assert [contract_kind(age) for age in (C, A, U)] == ["pupil", "adult", "unknown"]


@pytest.mark.parametrize(
    ("roles", "age", "role", "by_officer", "involved"),
    [
        (["recipient"], A, LinkRole.witness, False, True),
        (["recipient"], U, LinkRole.suspect, False, True),
        (["discloser"], A, LinkRole.witness, False, False),
        (["pictured"], A, LinkRole.witness, False, False),
        (["sharer"], C, LinkRole.suspect, False, False),
        # Once an officer sets the role with a reason, their judgement of the person's part stands.
        (["recipient"], A, LinkRole.witness, True, False),
        ([], A, LinkRole.suspect, True, True),
        ([], U, LinkRole.person_involved, True, True),
        ([], C, LinkRole.suspect, True, False),
        (["discloser"], A, LinkRole.victim, True, False),
    ],
)
def test_a_link_makes_the_incident_adult_involved_by_the_report_contracts_definition(
    roles: list[str], age: PersonAge, role: LinkRole, by_officer: bool, involved: bool
) -> None:
    assert link_involves_adult(roles, age, role=role, set_by_officer=by_officer) is involved


@pytest.mark.parametrize(
    ("criteria", "priority"),
    [
        ([], TriagePriority.standard),
        ([ImmediateCriterion.adult_involved], TriagePriority.priority),
        ([ImmediateCriterion.imagery_involves_sexual_acts_under_13, ImmediateCriterion.unusual_or_violent_acts], TriagePriority.priority),
        ([ImmediateCriterion.immediate_risk_of_harm], TriagePriority.immediate),
        ([ImmediateCriterion.adult_involved, ImmediateCriterion.immediate_risk_of_harm], TriagePriority.immediate),
    ],
)
def test_a_child_at_immediate_risk_of_harm_comes_first(criteria: list[ImmediateCriterion], priority: TriagePriority) -> None:
    assert proposed_priority(criteria) is priority


def test_the_intake_queue_takes_immediate_then_priority_then_standard() -> None:
    assert sorted(TriagePriority, key=PRIORITY_ORDER.__getitem__) == [
        TriagePriority.immediate, TriagePriority.priority, TriagePriority.standard
    ]


def test_the_immediate_criteria_are_the_five_of_s_immediate_as_the_school_sends_them() -> None:
    from services.school_api.assessments.schemas import ImmediateAnswersIn

    # Criterion 4 (sexual acts with a pictured pupil under 13) is one criterion on the wire, two answers at school.
    answers = set(ImmediateAnswersIn.model_fields) - {"imagery_involves_sexual_acts", "pictured_pupil_under_13"}
    assert {c.value for c in ImmediateCriterion} == answers | {"imagery_involves_sexual_acts_under_13"}


@pytest.mark.parametrize(
    ("asked", "from_school", "basis"),
    [
        (None, True, CrimeBasis.third_party_report),
        (None, False, CrimeBasis.police_identified),
        (CrimeBasis.victim_report, True, CrimeBasis.victim_report),
        (CrimeBasis.third_party_report, True, CrimeBasis.third_party_report),
    ],
)
def test_a_crime_on_a_schools_report_is_raised_under_the_third_party_rule(
    asked: CrimeBasis | None, from_school: bool, basis: CrimeBasis
) -> None:
    assert crime_basis(asked, from_school_report=from_school) is basis


def test_the_third_party_rule_needs_a_third_partys_report() -> None:
    assert [(v.rule, v.message) for v in check_crime_basis(CrimeBasis.third_party_report, from_school_report=False)] == [
        ("P-THIRD-PARTY", "A crime is raised under the third-party rule only on a third party's (the school's) report.")
    ]
    assert check_crime_basis(CrimeBasis.third_party_report, from_school_report=True) == []
    assert check_crime_basis(CrimeBasis.police_identified, from_school_report=False) == []


def test_no_crime_recorded_makes_the_report_a_crime_related_incident_n100() -> None:
    assert crime_related_incident_code(True) == "N100"
    assert crime_related_incident_code(False) is None


def test_ranks_are_ordered_constable_to_chief_constable() -> None:
    assert RANK_ORDER[PoliceRank.constable] == 0
    assert [rank for rank, _ in sorted(RANK_ORDER.items(), key=lambda item: item[1])][:3] == [
        PoliceRank.constable, PoliceRank.sergeant, PoliceRank.inspector
    ]


@pytest.mark.parametrize(
    ("indicator", "reason", "rank", "messages"),
    [
        (F.coercion, "Victim withdrew the claim of pressure; messages show none.", PoliceRank.inspector, []),
        (F.coercion, "Victim withdrew the claim of pressure; messages show none.", PoliceRank.superintendent, []),
        (F.grooming, "A reason long enough.", PoliceRank.inspector, ["The finding 'grooming' is not recorded on this incident."]),
        (F.coercion, "   ", PoliceRank.inspector, ["Clearing or overriding a finding needs a written reason."]),
        (F.coercion, None, PoliceRank.inspector, ["Clearing or overriding a finding needs a written reason."]),
        (
            F.coercion, "A reason long enough.", PoliceRank.sergeant,
            ["Clearing or overriding a finding needs an officer of rank inspector or above; the caller holds sergeant."],
        ),
        (
            F.coercion, "A reason long enough.", None,
            ["Clearing or overriding a finding needs an officer of rank inspector or above; the caller holds no rank."],
        ),
    ],
)
def test_clearing_or_overriding_a_finding_needs_a_reason_and_an_officer_of_the_forces_rank(
    indicator: F, reason: str | None, rank: PoliceRank | None, messages: list[str]
) -> None:
    violations = check_finding_decision(
        indicator, standing=[F.coercion, F.exploitation], reason=reason, rank=rank, minimum_rank=PoliceRank.inspector
    )
    assert [v.message for v in violations] == messages
    assert all(v.rule == "P-FULL-INVESTIGATION" for v in violations)


def test_recording_the_assessment_never_drops_a_finding_silently() -> None:
    assert check_findings_change([F.coercion], [F.coercion, F.grooming]) == []
    assert check_findings_change([], [F.grooming]) == []
    assert [v.message for v in check_findings_change([F.exploitation, F.coercion, F.grooming], [F.grooming])] == [
        "The finding 'coercion' can only be cleared by a finding decision with a reason from an officer of the force's minimum rank.",
        "The finding 'exploitation' can only be cleared by a finding decision with a reason from an officer of the force's minimum rank.",
    ]


def test_findings_still_in_the_way_are_those_standing_and_not_overridden() -> None:
    assert unresolved_findings([F.profit_motive, F.coercion, F.grooming], [F.grooming]) == [F.coercion, F.profit_motive]
    assert unresolved_findings([F.coercion], [F.coercion]) == []
