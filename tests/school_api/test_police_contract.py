"""The report the school sends validates against the police service's SchoolReportIn, as it is."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from services.police_api.reports.schemas import SchoolReportIn
from services.school_api.assessments.models import RiskAssessment
from services.school_api.assessments.vocabulary import Recommendation, Typology
from services.school_api.devices.models import Device
from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import DisclosureSource, ImageNature, IncidentStatus, SharingExtent
from services.school_api.people.models import Person
from services.school_api.people.vocabulary import PersonKind, Sex
from services.school_api.referrals.payload import build_report_payload
from services.school_api.referrals.vocabulary import PoliceChannel
from services.school_api.rules.assessment import FactorAnswers, ImmediateAnswers, recommend, s_factors, s_immediate
from services.school_api.rules.facts import RecordFacts

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
URN = "100001"


def full_incident() -> tuple[Incident, list[Person], list[Device], RiskAssessment]:
    incident = Incident(
        id=uuid.uuid4(), school_urn=URN, reference=f"{URN}-2026-0007", status=IncidentStatus.assessed,
        disclosed_at=NOW, disclosure_source=DisclosureSource.peer, image_nature=ImageNature.potentially_illegal,
        sharing_extent=SharingExtent.widely, where_image_ended_up="Several group chats", narrative="never sent to police",
    )
    people = [
        Person(id=uuid.uuid4(), school_urn=URN, incident_id=incident.id, kind=kind, roles=roles, sex=sex,
               given_name="Sam", family_name="Example", upn=upn, date_of_birth=dob, age_years=age, other_school_urn=other,
               vulnerabilities=["looked_after"])
        for kind, roles, sex, upn, dob, age, other in [
            (PersonKind.pupil, ["pictured", "sender"], Sex.female, "B801200005001", date(2011, 3, 4), None, None),
            (PersonKind.child_elsewhere, ["recipient", "sharer", "possessor"], Sex.male, "P207000016049", None, 15, "100002"),
            (PersonKind.adult, ["coercer"], Sex.not_known, None, None, None, None),
            (PersonKind.unknown, ["possessor"], Sex.other, None, None, None, None),
        ]
    ]
    devices = [
        Device(id=uuid.uuid4(), school_urn=URN, incident_id=incident.id, ownership=DeviceOwner.personal,
               custody_state=CustodyEventKind.secured, held_by_school=True),
        Device(id=uuid.uuid4(), school_urn=URN, incident_id=incident.id, ownership=DeviceOwner.school,
               custody_state=CustodyEventKind.handed_to_police, held_by_school=False),
        Device(id=uuid.uuid4(), school_urn=URN, incident_id=incident.id, ownership=DeviceOwner.school,
               custody_state=None, held_by_school=False),
    ]
    facts = RecordFacts(adult_involved=True, widely_distributed=True, child_more_vulnerable=True)
    immediate = s_immediate(ImmediateAnswers(adult_involved=True, immediate_risk_of_harm=True), facts)
    outcome = recommend(
        immediate,
        s_factors(FactorAnswers(widely_distributed=True, child_more_vulnerable=True), facts),
        Typology.aggravated_adult_involved,
    )
    assessment = RiskAssessment(
        id=uuid.uuid4(), typology=Typology.aggravated_adult_involved, recommendation=outcome.recommendation,
        rule_ids=outcome.rule_ids, reasons=outcome.reasons, immediate_criteria_met=[str(c) for c in immediate.met],
    )
    assert assessment.recommendation is Recommendation.refer_police_immediately
    return incident, people, devices, assessment


def test_payload_from_a_full_incident_validates_against_the_police_contract() -> None:
    incident, people, devices, assessment = full_incident()
    for channel in PoliceChannel:
        payload = build_report_payload(
            incident, people=people, devices=devices, assessment=assessment, channel=channel, referred_at=NOW, reasons="Adult involved."
        )
        report = SchoolReportIn.model_validate(payload)
        assert report.school_incident_reference == incident.reference
        assert len(report.people) == 4 and len(report.devices) == 3
        assert report.people[0].school_urn == URN and report.people[1].school_urn == "100002"
        assert report.image.widely_shared is True
        assert report.risk_assessment is not None and "S-IMMEDIATE" in report.risk_assessment.rule_ids
        # The S-IMMEDIATE criteria travel as names the police triage by (issue 12), in the guidance's order.
        assert report.risk_assessment.immediate_criteria == ["adult_involved", "immediate_risk_of_harm"]
        assert "never sent to police" not in str(payload)


def test_payload_of_a_bare_incident_validates_against_the_police_contract() -> None:
    incident, _, _, _ = full_incident()
    incident.sharing_extent = None
    report = SchoolReportIn.model_validate(build_report_payload(incident, channel=PoliceChannel.call_101, referred_at=NOW, reasons=None))
    assert report.people == [] and report.risk_assessment is None and report.image.widely_shared is None


def test_every_immediate_criterion_has_its_name_on_the_wire() -> None:
    from services.school_api.assessments.vocabulary import ImmediateCriterion
    from services.school_api.referrals.payload import IMMEDIATE_CRITERIA_ON_THE_WIRE

    assert set(IMMEDIATE_CRITERIA_ON_THE_WIRE) == set(ImmediateCriterion)
    assert list(IMMEDIATE_CRITERIA_ON_THE_WIRE.values()) == [
        "adult_involved", "coercion_blackmail_grooming_or_capacity", "unusual_or_violent_acts",
        "imagery_involves_sexual_acts_under_13", "immediate_risk_of_harm",
    ]
