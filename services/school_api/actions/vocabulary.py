"""The fixed vocabulary of the action log (S-RECORD; APPX8 steps 3 to 8)."""
from __future__ import annotations

from enum import StrEnum


class ActionKind(StrEnum):
    dsl_informed = "dsl_informed"
    senior_management_informed = "senior_management_informed"
    parents_informed = "parents_informed"
    device_confiscated = "device_confiscated"
    device_searched = "device_searched"
    image_viewed = "image_viewed"
    network_blocked_image_isolated = "network_blocked_image_isolated"
    reported_to_hosting_site = "reported_to_hosting_site"
    report_remove_advised = "report_remove_advised"
    ceop_report = "ceop_report"
    social_care_referral = "social_care_referral"
    police_referral = "police_referral"
    counselling_or_support = "counselling_or_support"
    education_input = "education_input"
    other_staff_informed = "other_staff_informed"
    review_held = "review_held"
    other = "other"
