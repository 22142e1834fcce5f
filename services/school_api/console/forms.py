"""The school console's forms: each is one API operation with its own request schema (docs/console.md)."""
from __future__ import annotations

from services.school_api.actions.schemas import ActionCreate
from services.school_api.assessments.schemas import AssessmentCreate
from services.school_api.authorisations.schemas import AuthorisationCreate
from services.school_api.child_accounts.schemas import ChildAccountCreate
from services.school_api.console.wording import WORDING
from services.school_api.decisions.schemas import DecisionCreate
from services.school_api.devices.schemas import CustodyEventCreate, DeviceCreate
from services.school_api.incidents.schemas import CloseRequest, IncidentCreate, IncidentUpdate, ObservationCreate
from services.school_api.initial_reviews.schemas import InitialReviewCreate
from services.school_api.people.schemas import PersonCreate, PersonUpdate
from services.school_api.reviews.schemas import ReviewCreate
from services.school_api.searches.schemas import SearchCreate
from services.school_api.viewings.schemas import ViewingCreate
from shared.console.actions import FormSpec

INCIDENT = "/incidents/{incident_id}"

FORMS = {
    spec.key: spec
    for spec in (
        FormSpec("new-incident", "A new incident from a disclosure", IncidentCreate, "POST", "/incidents", "create_incident",
                 WORDING, submit="Open the incident",
                 order=("disclosed_at", "disclosure_source", "image_nature", "narrative", "image_involvement")),
        # An edit: only the answers the DSL changes are sent (PATCH), with the ETag of the page they read.
        FormSpec("complete-disclosure", "Complete or correct the disclosure answers", IncidentUpdate, "PATCH", INCIDENT,
                 "update_incident", WORDING, submit="Save the disclosure answers",
                 order=("image_nature", "image_involvement", "sharing_extent", "device_possession", "device_ownership",
                        "dsl_consulted", "immediate_support_needed", "other_pupils_involved", "where_image_ended_up", "narrative")),
        FormSpec("add-observation", "Add what you saw or heard", ObservationCreate, "POST", INCIDENT + "/observations",
                 "add_observation", WORDING, submit="Add the observation", labels={"observed_at": "When did you see or hear it?"}),
        FormSpec("add-person", "Add a person", PersonCreate, "POST", INCIDENT + "/people", "add_person", WORDING,
                 submit="Add the person", order=("given_name", "family_name", "kind", "roles", "upn"),
                 live_checks={"upn": "/console/upn-check"}),
        FormSpec("edit-person", "Change this person's details", PersonUpdate, "PATCH", INCIDENT + "/people/{person_id}",
                 "update_person", WORDING, submit="Save the changes", order=("given_name", "family_name", "kind", "roles", "upn"),
                 live_checks={"upn": "/console/upn-check"}),
        FormSpec("initial-review", "Record the initial review meeting", InitialReviewCreate, "POST", INCIDENT + "/initial-reviews",
                 "record_initial_review", WORDING, submit="Record the meeting",
                 labels={"held_at": "When was the meeting held?", "attendees": "Who attended", "role": "Their role",
                         "decided": "What was decided"},
                 message_fields={"attends": "attendees", "decided": "decided"}),
        FormSpec("child-account", "Record the child's account and wishes", ChildAccountCreate, "POST", INCIDENT + "/child-accounts",
                 "record_child_account", WORDING, submit="Record the account",
                 labels={"person_id": "Which child", "given_at": "When was it given?"},
                 message_fields={"given by a child": "person_id", "own words": "account"}),
        FormSpec("add-device", "Add a device", DeviceCreate, "POST", INCIDENT + "/devices", "add_device", WORDING,
                 submit="Add the device"),
        FormSpec("custody", "Record a custody step", CustodyEventCreate, "POST", INCIDENT + "/devices/{device_id}/custody",
                 "record_custody", WORDING, submit="Record the step", labels={"kind": "Custody step"}, rule_fields={"S-IMAGE": "kind"}),
        FormSpec("record-action", "Record an action taken or not taken", ActionCreate, "POST", INCIDENT + "/actions",
                 "record_action", WORDING, submit="Record the action", labels={"kind": "Action"},
                 rule_fields={"S-RECORD": "justification", "S-SEARCH": "kind", "S-IMAGE": "kind"}),
        FormSpec("authorise", "Authorise a search or a viewing (headteacher)", AuthorisationCreate, "POST",
                 INCIDENT + "/authorisations", "authorise", WORDING, submit="Give the authorisation",
                 labels={"kind": "What is authorised", "reason": "Reason, in writing (at least 10 characters)"}),
        FormSpec("search", "Record a device search", SearchCreate, "POST", INCIDENT + "/searches", "record_search", WORDING,
                 submit="Record the search", rule_fields={"S-CHILD-FIRST": "distress_judgement"}),
        FormSpec("view-image", "Record that the DSL viewed an image", ViewingCreate, "POST", INCIDENT + "/image-viewings",
                 "record_image_viewing", WORDING, submit="Record the viewing",
                 rule_fields={"S-CHILD-FIRST": "distress_judgement"}),
        FormSpec("assess", "Risk assessment", AssessmentCreate, "POST", INCIDENT + "/assessments", "assess_risk", WORDING,
                 submit="Save the assessment",
                 rule_fields={"S-IMMEDIATE": "immediate", "S-FACTORS": "factors", "S-TYPOLOGY": "typology"},
                 order=("immediate", "factors", "typology")),
        FormSpec("decide", "Decision", DecisionCreate, "POST", INCIDENT + "/decision", "decide", WORDING,
                 submit="Record the decision",
                 rule_fields={"S-POLICE": "outcome", "S-IMMEDIATE": "outcome", "S-PARENTS": "parents_not_informed_reason"},
                 order=("outcome", "police_channel", "reasons")),
        FormSpec("review", "Review", ReviewCreate, "POST", INCIDENT + "/review", "review_incident", WORDING,
                 submit="Record the review"),
        FormSpec("close", "Close the incident", CloseRequest, "POST", INCIDENT + "/close", "close_incident", WORDING,
                 submit="Close the incident"),
    )
}

# Which page of an incident shows each form (a refused form is shown again on its page).
SECTION_OF = {
    "complete-disclosure": "overview",
    "add-observation": "observations",
    "edit-person": "people",
    "initial-review": "meetings",
    "child-account": "meetings",
    "add-person": "people",
    "add-device": "devices",
    "custody": "devices",
    "record-action": "actions",
    "authorise": "searches",
    "search": "searches",
    "view-image": "searches",
    "assess": "assessment",
    "decide": "decision",
    "review": "review",
    "close": "review",
}

DONE = {
    "complete-disclosure": "The disclosure answers have been saved.",
    "add-observation": "The observation has been added.",
    "edit-person": "The person's details have been changed.",
    "initial-review": "The initial review meeting has been recorded.",
    "child-account": "The child's account has been recorded.",
    "add-person": "The person has been added.",
    "add-device": "The device has been added.",
    "custody": "The custody step has been recorded.",
    "record-action": "The action has been recorded.",
    "authorise": "The authorisation has been recorded.",
    "search": "The search has been recorded.",
    "view-image": "The viewing has been recorded.",
    "assess": "The risk assessment has been saved.",
    "decide": "The decision has been recorded.",
    "review": "The review has been recorded.",
    "close": "The incident is closed.",
}
