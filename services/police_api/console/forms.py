"""The police console's forms: each is one API operation with its own request schema (docs/console.md)."""
from __future__ import annotations

from services.police_api.console.wording import WORDING
from services.police_api.crimes.schemas import CrimeCreate, VictimContactIn
from services.police_api.outcomes.schemas import OutcomeIn
from services.police_api.reports.schemas import TriageIn
from services.police_api.routing.schemas import AssessmentIn, EducationIn, RestorativeMeetingIn, RouteIn, RouteOverrideIn
from shared.console.actions import FormSpec

INCIDENT = "/incidents/{incident_id}"
CRIME = "/crimes/{crime_id}"
OUTCOME_RULES = {"P-OUTCOME21": "public_interest_rationale", "P-OUTCOME22": "code", "P-NO-CRIMINALISE": "code"}

FORMS = {
    spec.key: spec
    for spec in (
        FormSpec("triage", "Triage", TriageIn, "POST", "/reports/{report_id}/triage", "triage_report", WORDING,
                 submit="Save the triage"),
        FormSpec("record-crime", "Record a crime", CrimeCreate, "POST", INCIDENT + "/crimes", "record_crime", WORDING,
                 submit="Record the crime", rule_fields={"P-CRIME": "victim_person_id", "P-OFFENCES": "offence_code"}),
        FormSpec("indicators", "Findings", AssessmentIn, "PUT", INCIDENT + "/assessment", "record_assessment", WORDING,
                 submit="Save the findings"),
        FormSpec("route", "Take the route", RouteIn, "POST", INCIDENT + "/route", "route_incident", WORDING,
                 submit="Take this route", rule_fields={"P-ROUTE": "route", "P-REPEAT": "route",
                                                                            "P-FULL-INVESTIGATION": "route"}),
        FormSpec("override", "Override the route (supervisor)", RouteOverrideIn, "POST", INCIDENT + "/route-override",
                 "override_route", WORDING, submit="Override the route",
                 labels={"reason": "Reason for overriding the computed route"}),
        FormSpec("meeting", "Restorative meeting", RestorativeMeetingIn, "POST", INCIDENT + "/restorative-meetings",
                 "record_restorative_meeting", WORDING, submit="Record the meeting", rule_fields={"P-ROUTE": "held_on"}),
        FormSpec("education", "Education", EducationIn, "POST", INCIDENT + "/education", "record_education", WORDING,
                 submit="Record the education", rule_fields={"P-ROUTE": "kind"}),
        FormSpec("victim-contact", "Victim contact", VictimContactIn, "POST", CRIME + "/victim-contacts",
                 "record_victim_contact", WORDING, submit="Record the contact"),
        FormSpec("propose", "Propose an outcome", OutcomeIn, "POST", CRIME + "/outcome-proposal", "propose_outcome", WORDING,
                 submit="Propose the outcome", rule_fields=OUTCOME_RULES),
        FormSpec("finalise-outcome", "Finalise the outcome (supervisor)", OutcomeIn, "POST", CRIME + "/outcome",
                 "finalise_outcome", WORDING, submit="Finalise the outcome", rule_fields=OUTCOME_RULES),
    )
}

SECTION_OF = {
    "record-crime": "crimes", "victim-contact": "crimes", "propose": "crimes", "finalise-outcome": "crimes",
    "indicators": "route", "route": "route", "override": "route", "meeting": "scpo", "education": "scpo",
}

DONE = {
    "triage": "The triage has been saved.",
    "record-crime": "The crime has been recorded.",
    "indicators": "The findings have been saved.",
    "route": "The route has been taken.",
    "override": "The route has been overridden.",
    "meeting": "The restorative meeting has been recorded.",
    "education": "The education has been recorded.",
    "victim-contact": "The contact has been recorded.",
    "propose": "The outcome has been proposed.",
    "finalise-outcome": "The outcome has been finalised.",
    "acknowledged": "The notification has been acknowledged.",
    "finalised": "The incident has been finalised.",
}
