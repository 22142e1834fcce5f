from __future__ import annotations

from enum import StrEnum


class DecisionOutcome(StrEnum):
    """APPX8 step 5 / S-POLICE: where the incident goes next."""

    refer_police = "refer_police"
    refer_social_care = "refer_social_care"
    manage_in_school = "manage_in_school"
