"""The steps of the guidance that the next-steps answer can list as still expected (rules/next_steps.py)."""
from __future__ import annotations

from enum import StrEnum


class StepKind(StrEnum):
    dsl_informed = "dsl_informed"
    senior_management_informed = "senior_management_informed"
    block_network_and_isolate_image = "block_network_and_isolate_image"
    initial_review_meeting = "initial_review_meeting"
    child_account = "child_account"
    consider_exploitation = "consider_exploitation"
    risk_assessment = "risk_assessment"
    decision = "decision"
    inform_parents = "inform_parents"
    report_remove_or_take_it_down = "report_remove_or_take_it_down"
    report_to_hosting_site = "report_to_hosting_site"
    ceop_report = "ceop_report"
    ask_for_deletion = "ask_for_deletion"
    confirm_deletion = "confirm_deletion"
    review = "review"
