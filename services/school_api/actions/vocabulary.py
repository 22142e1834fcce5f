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
    take_it_down_advised = "take_it_down_advised"
    ceop_report = "ceop_report"
    social_care_referral = "social_care_referral"
    police_referral = "police_referral"
    counselling_or_support = "counselling_or_support"
    education_input = "education_input"
    other_staff_informed = "other_staff_informed"
    review_held = "review_held"
    # Issue 12, the steps of the guidance the log lacked. The meeting and the child's account have their own
    # records (which write these entries); logged here only as not taken, with the reason.
    initial_review_meeting = "initial_review_meeting"
    child_account_heard = "child_account_heard"
    # FLOW note 1: the judgement whether this is child sexual exploitation, written as the justification.
    exploitation_considered = "exploitation_considered"
    # S-DELETE: the young people are asked to delete the imagery by a deadline (`due_at`), then confirm it.
    deletion_requested = "deletion_requested"
    deletion_confirmed = "deletion_confirmed"
    other = "other"


# S-REMOVAL: help to have an image removed, each recorded with what came of it.
REMOVAL_HELP = frozenset(
    {
        ActionKind.report_remove_advised,
        ActionKind.take_it_down_advised,
        ActionKind.reported_to_hosting_site,
        ActionKind.ceop_report,
    }
)


class RemovalOutcome(StrEnum):
    """What came of a request for removal help (S-REMOVAL)."""

    submitted = "submitted"  # made, no answer yet
    removed = "removed"
    not_removed = "not_removed"
    declined_by_child = "declined_by_child"
