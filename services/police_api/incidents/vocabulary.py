from __future__ import annotations

from enum import StrEnum


class IncidentClassification(StrEnum):
    """How the incident is recorded on police systems.

    `school_crime_beat` exists only so that a request naming it can be refused by rule P-101:
    a youth-produced sexual imagery incident can never be a School Crime Beat incident.
    """

    youth_produced_sexual_imagery = "youth_produced_sexual_imagery"
    child_sexual_exploitation = "child_sexual_exploitation"
    school_crime_beat = "school_crime_beat"


class PoliceIncidentStatus(StrEnum):
    open = "open"
    routed = "routed"
    finalised = "finalised"
