"""The report sent to the police, built from the school's record at the moment of the decision.

The shape is the police service's `SchoolReportIn` contract (services/police_api/reports/schemas.py);
tests/school_api/test_police_contract.py validates a payload built from a full incident against it.
It carries what the police need (people with roles, devices the school holds, the risk assessment with
its rule ids and reasons) and never an image: the image is described by its nature and spread only.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.school_api.assessments.models import RiskAssessment
from services.school_api.devices.models import Device
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import SharingExtent
from services.school_api.people.models import Person
from services.school_api.people.vocabulary import PersonKind
from services.school_api.referrals.vocabulary import PoliceChannel

_WIDELY_SHARED = {SharingExtent.widely: True, SharingExtent.not_shared: False, SharingExtent.few_people: False}


def _person(person: Person, school_urn: str) -> dict[str, Any]:
    return {
        "school_person_id": str(person.id),
        "kind": person.kind.value,
        "roles": list(person.roles),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "age_years": person.age_years,
        "sex": person.sex.value,
        "upn": person.upn,
        # A pupil of this school carries the school's URN; a child elsewhere the URN of their school if known.
        "school_urn": school_urn if person.kind is PersonKind.pupil else person.other_school_urn,
    }


def _device(device: Device) -> dict[str, Any]:
    return {
        "school_device_id": str(device.id),
        "ownership": device.ownership.value,
        "held_by_school": device.held_by_school,
        "secured_state": device.custody_state.value if device.custody_state else None,
    }


def _assessment(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "recommendation": assessment.recommendation.value,
        "typology": assessment.typology.value,
        "rule_ids": list(assessment.rule_ids),
        "reasons": list(assessment.reasons),
    }


def build_report_payload(
    incident: Incident,
    *,
    people: Sequence[Person] = (),
    devices: Sequence[Device] = (),
    assessment: RiskAssessment | None = None,
    channel: PoliceChannel,
    referred_at: datetime,
    reasons: str | None,
) -> dict[str, Any]:
    return {
        "school_incident_id": str(incident.id),
        "school_incident_reference": incident.reference,
        "channel": channel.value,
        "disclosed_at": incident.disclosed_at.isoformat(),
        "referred_at": referred_at.isoformat(),
        "image": {
            "nature": incident.image_nature.value,
            "widely_shared": _WIDELY_SHARED.get(incident.sharing_extent) if incident.sharing_extent else None,
            "where_it_ended_up": incident.where_image_ended_up,
        },
        "people": [_person(person, incident.school_urn) for person in people],
        "devices": [_device(device) for device in devices],
        "risk_assessment": _assessment(assessment) if assessment else None,
        "referral_reasons": reasons,
    }


def minimised_after_delivery(payload: dict[str, Any], police_reference: str, delivered_at: datetime) -> dict[str, Any]:
    """What an outbox message keeps once the police have the report (issue 14, data minimisation).

    The report's names, dates of birth and texts are still in the school's own records, and the police
    hold their copy; the delivered message needs only enough to say which report went where. Before
    delivery the full payload stays, so that every retry sends the same request under the same key.
    """
    return {
        "minimised": True,
        "school_incident_id": payload.get("school_incident_id"),
        "school_incident_reference": payload.get("school_incident_reference"),
        "police_reference": police_reference,
        "delivered_at": delivered_at.isoformat(),
    }
