"""The report sent to the police, built from the school's record at the moment of the decision.

The shape is the police service's `SchoolReportIn` contract; a contract test keeps the two equal.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from services.school_api.incidents.models import Incident
from services.school_api.referrals.vocabulary import PoliceChannel


def build_report_payload(
    incident: Incident, *, channel: PoliceChannel, referred_at: datetime, reasons: str | None
) -> dict[str, Any]:
    return {
        "school_incident_id": str(incident.id),
        "school_incident_reference": incident.reference,
        "channel": channel.value,
        "disclosed_at": incident.disclosed_at.isoformat(),
        "referred_at": referred_at.isoformat(),
        "image": {"nature": incident.image_nature.value},
        "people": [],
        "devices": [],
        "risk_assessment": None,
        "referral_reasons": reasons,
    }
