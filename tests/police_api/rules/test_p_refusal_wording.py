"""What each police rule says when it refuses, word for word, and where its boundaries lie. Officers act on
these sentences (a refusal names the rule and what is missing), so a change of wording is a change of the
product and is made here too; the boundaries are the guidance's own (24 hours, now, the computed route)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.police_api.crimes.vocabulary import OutcomeCode
from services.police_api.incidents.vocabulary import IncidentClassification
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.routing.vocabulary import FullInvestigationIndicator as F, Route
from services.police_api.rules.classification import check_classification
from services.police_api.rules.crime import (
    check_crime_subjects,
    check_crime_victim,
    check_recorded_time,
    crime_decision_overdue,
    crime_recording_deadline,
)
from services.police_api.rules.incident import IncidentPaths, incident_paths_followed
from services.police_api.rules.links import SELF_IMAGE_ROLES, derive_link_role
from services.police_api.rules.notice import check_notice_applies
from services.police_api.rules.offences import age_status, check_offence_code
from services.police_api.rules.outcomes import OutcomeFacts, outcome22_violations, outcome_violations
from services.police_api.rules.ppu import NotificationState, unacknowledged_notifications
from services.police_api.rules.repeat import Occasion, OffenceProfile, repeat_finding
from services.police_api.rules.route import (
    check_findings_change,
    check_route_choice,
    check_scpo_route_activity,
    compute_route,
    full_investigation_reasons,
    reported_indicators,
    unresolved_findings,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def said(violations: list) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in violations]


def test_p101_refusal_wording() -> None:
    assert said(check_classification(IncidentClassification.school_crime_beat)) == [
        (
            "P-101",
            "A youth-produced sexual imagery incident is a serious incident recorded on police systems; "
            "it can never be a School Crime Beat incident.",
        )
    ]


def test_p_crime_refusal_wording() -> None:
    assert said(check_crime_victim(None)) == [("P-CRIME", "The victim of a crime must be linked to the incident.")]
    assert said(check_crime_victim(LinkRole.witness)) == [
        ("P-CRIME", "A crime is raised for a person linked as victim or victim-and-suspect.")
    ]
    assert said(check_crime_subjects([LinkRole.victim])) == [
        (
            "P-CRIME",
            "Every suspect or person involved on a crime must be linked to the incident as suspect, "
            "victim-and-suspect or person involved.",
        )
    ]
    received = NOW - timedelta(hours=2)
    assert said(check_recorded_time(NOW + timedelta(seconds=1), received_at=received, now=NOW)) == [
        ("P-CRIME", "A crime cannot be recorded in the future.")
    ]
    assert said(check_recorded_time(received - timedelta(seconds=1), received_at=received, now=NOW)) == [
        ("P-CRIME", "A crime cannot be recorded before the report it comes from was received.")
    ]


def test_a_crime_recorded_at_this_very_moment_or_at_receipt_is_in_time() -> None:
    assert check_recorded_time(NOW, received_at=NOW - timedelta(hours=1), now=NOW) == []
    assert check_recorded_time(NOW - timedelta(hours=1), received_at=NOW - timedelta(hours=1), now=NOW) == []


def test_a_report_is_overdue_only_after_its_deadline_not_at_it() -> None:
    deadline = crime_recording_deadline(NOW - timedelta(hours=24))
    assert crime_decision_overdue(NOW, deadline, decision_made=False) is False
    assert crime_decision_overdue(NOW + timedelta(microseconds=1), deadline, decision_made=False) is True


def test_p_incident_refusal_wording() -> None:
    paths = IncidentPaths(children=2, ppu_notifications=1, victims=1, victims_with_crime=0, no_crime_reason_recorded=False, crimes=3, crimes_finalised=1)
    assert said(incident_paths_followed(paths)) == [
        ("P-INCIDENT", "The safeguarding route: not every child has a PPU notification."),
        ("P-INCIDENT", "The crime route: not every victim has a crime, and no reasoned decision not to record one."),
        ("P-INCIDENT", "2 crime(s) have no final outcome."),
    ]


def test_an_incident_with_no_victim_has_not_followed_the_crime_route_without_a_no_crime_decision() -> None:
    none = IncidentPaths(children=0, ppu_notifications=0, victims=0, victims_with_crime=0, no_crime_reason_recorded=False, crimes=0, crimes_finalised=0)
    assert [v.message for v in incident_paths_followed(none)] == [
        "The crime route: not every victim has a crime, and no reasoned decision not to record one."
    ]


def test_p_offences_refusal_wording() -> None:
    assert said(check_offence_code("sexting", set())) == [
        ("P-OFFENCES", "An offence code has the Home Office form 'class/subclass', e.g. 86/2.")
    ]
    assert said(check_offence_code("86/99", {"86/2"})) == [
        ("P-OFFENCES", "That offence code is not in the force's offence reference table.")
    ]


def test_a_child_elsewhere_with_no_age_given_is_a_child() -> None:
    assert age_status(kind="child_elsewhere", date_of_birth=None, age_years=None, on=NOW.date()) is PersonAge.child


def test_p_ppu_refusal_wording() -> None:
    assert said(unacknowledged_notifications([NotificationState("a", False), NotificationState("b", True), NotificationState("c", False)])) == [
        ("P-PPU", "2 PPU notification(s) for children on this incident are not acknowledged.")
    ]


def test_repeat_names_earlier_incidents_in_reference_order_with_their_ids_alongside() -> None:
    profile = OffenceProfile("youth_produced_sexual_imagery")
    earlier = [Occasion("id-b", "52-2026-000002", profile), Occasion("id-a", "52-2026-000003", profile), Occasion("id-c", "52-2026-000001", profile)]
    finding = repeat_finding(profile, earlier)
    assert finding.earlier_references == ["52-2026-000001", "52-2026-000002", "52-2026-000003"]
    assert finding.earlier_incident_ids == ["id-c", "id-b", "id-a"]


def test_p_route_reasons_and_refusals_wording() -> None:
    cid = compute_route(repeat_references={"p": ["52-2026-000001", "52-2026-000002"]}, adult_implicated=True, indicators=[F.profit_motive, F.coercion])
    assert [(r.rule, r.reason) for r in cid.reasons] == [
        ("P-REPEAT", "A suspect is a repeat: earlier incidents 52-2026-000001, 52-2026-000002."),
        ("P-ROUTE", "An adult is implicated: consider prosecution for CSE."),
        ("P-FULL-INVESTIGATION", "Evidence of coercion."),
        ("P-FULL-INVESTIGATION", "Evidence of profit motive."),
    ]
    scpo = compute_route(repeat_references={}, adult_implicated=False, indicators=[])
    assert (scpo.route, [(r.rule, r.reason) for r in scpo.reasons]) == (
        Route.scpo, [("P-ROUTE", "No repeat, no adult implicated, no finding calling for a full investigation.")]
    )
    assert said(check_route_choice(computed=Route.cid, chosen=Route.scpo, override_reason=None, no_prosecution_reason=None)) == [
        ("P-ROUTE", "The computed route is cid; another route needs a written override reason."),
        ("P-ROUTE", "The SCPO route follows a recorded decision not to prosecute, with its reason."),
    ]
    assert said(check_scpo_route_activity(Route.cid)) == [
        ("P-ROUTE", "Restorative meetings and education are recorded once the incident is on the SCPO route.")
    ]
    assert said(check_scpo_route_activity(None)) == said(check_scpo_route_activity(Route.cid))
    assert check_scpo_route_activity(Route.scpo) == []


def test_p_full_investigation_reasons_in_order_with_the_adult_perpetrator_last() -> None:
    reasons = full_investigation_reasons([F.persistent_behaviour, F.exploitation, F.exploitation], adult_implicated=True)
    assert [(r.rule, r.reason) for r in reasons] == [
        ("P-FULL-INVESTIGATION", "Evidence of exploitation."),
        ("P-FULL-INVESTIGATION", "Evidence of persistent behaviour."),
        ("P-FULL-INVESTIGATION", "An adult perpetrator is implicated."),
    ]


def test_findings_are_listed_in_name_order() -> None:
    assert reported_indicators([["coercer"]], "aggravated_youth_intent_to_harm") == [F.coercion, F.malicious_intent]
    assert unresolved_findings([F.profit_motive, F.exploitation, F.coercion], []) == [F.coercion, F.exploitation, F.profit_motive]
    assert [(v.rule, v.message) for v in check_findings_change([F.profit_motive, F.coercion], [])] == [
        ("P-FULL-INVESTIGATION", "The finding 'coercion' can only be cleared by a finding decision with a reason from an officer of the force's minimum rank."),
        ("P-FULL-INVESTIGATION", "The finding 'profit motive' can only be cleared by a finding decision with a reason from an officer of the force's minimum rank."),
    ]


READY = OutcomeFacts(
    crime_recorded=False,
    unacknowledged_ppu_notifications=0,
    named_suspects_or_persons_involved=1,
    adult_implicated=False,
    repeat_flagged=False,
    checks_overridden_with_reason=False,
    public_interest_rationale="Not in the public interest.",
    victim_is_child=True,
)


def test_an_unrecorded_crime_is_named_in_every_outcomes_refusal() -> None:
    assert said(outcome22_violations(READY)) == [("P-CRIME", "The crime is not recorded.")]
    assert said(outcome_violations(OutcomeCode.evidential_difficulties_suspect_identified_victim_supports, READY)) == [
        ("P-CRIME", "The crime is not recorded.")
    ]


def test_p_notice_refusal_wording() -> None:
    assert said(check_notice_applies(OutcomeCode.community_resolution)) == [
        ("P-NOTICE", "Young-person notices are produced for a crime finalised with Outcome 21.")
    ]


def test_a_pictured_child_who_did_all_a_child_may_do_with_their_own_image_is_still_only_a_victim() -> None:
    assert derive_link_role(SELF_IMAGE_ROLES, PersonAge.child, aggravated=True) is LinkRole.victim
