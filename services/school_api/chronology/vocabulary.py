from __future__ import annotations

from enum import StrEnum


class ChronologyKind(StrEnum):
    """What an entry of the chronology records."""

    disclosure = "disclosure"
    incident_opened = "incident_opened"
    observation = "observation"
    person_added = "person_added"
    device_added = "device_added"
    custody = "custody"
    authorisation = "authorisation"
    device_search = "device_search"
    image_viewing = "image_viewing"
    risk_assessment = "risk_assessment"
    decision = "decision"
    police_referral = "police_referral"
    referral_delivered = "referral_delivered"
    police_status = "police_status"
    review = "review"
    action = "action"
    incident_closed = "incident_closed"
