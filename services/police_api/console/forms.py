"""The police console's forms: each is one API operation with its own request schema (docs/console.md)."""
from __future__ import annotations

from services.police_api.console.wording import WORDING
from services.police_api.crimes.schemas import CorrectionIn, CrimeCreate, VictimContactIn
from services.police_api.incidents.schemas import NoCrimeDecisionIn
from services.police_api.outcomes.schemas import OutcomeIn
from services.police_api.persons.schemas import LinkCreate, LinkUpdate, MergeIn
from services.police_api.ppu.schemas import PPUUpdateIn
from services.police_api.reports.schemas import TriageIn
from services.police_api.routing.schemas import (
    AssessmentIn, EducationIn, FindingDecisionIn, RestorativeMeetingIn, RouteIn, RouteOverrideIn,
)
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
        FormSpec("correct-recording", "Correct the recording (registrar)", CorrectionIn, "PATCH", CRIME + "/recording",
                 "correct_crime_recording", WORDING, submit="Save the correction",
                 rule_fields={"P-CRIME": "recorded_at", "P-OFFENCES": "offence_code"},
                 labels={"recorded_at": "Recorded at (corrected)", "offence_code": "Offence (corrected Home Office code)",
                         "reason": "Reason for the correction"}),
        FormSpec("no-crime", "Decide not to record a crime", NoCrimeDecisionIn, "POST", INCIDENT + "/no-crime-decision",
                 "record_no_crime_decision", WORDING, submit="Record the decision not to record a crime",
                 rule_fields={"P-CRIME": "reason", "P-N100": "basis"},
                 labels={"basis": "Basis (Home Office Counting Rules)", "reason": "Reason for not recording a crime"}),
        FormSpec("add-link", "Link a person", LinkCreate, "POST", INCIDENT + "/links", "create_link", WORDING,
                 submit="Link the person", omit=frozenset({"person_id"}), order=("person", "reported_roles", "role"),
                 rule_fields={"P-CRIME": "role", "P-AGE-OF-RESPONSIBILITY": "role"},
                 labels={"person.kind": "Who are they?", "person.age_years": "Age in years (when the date of birth is not known)"}),
        FormSpec("link-role", "Change the role", LinkUpdate, "PATCH", "/links/{link_id}", "update_link", WORDING,
                 submit="Change the role", rule_fields={"P-CRIME": "role", "P-AGE-OF-RESPONSIBILITY": "role"},
                 labels={"role": "New role", "reason": "Reason for the change"}),
        FormSpec("finding-decision", "Clear or override a finding (ranked officer)", FindingDecisionIn, "POST",
                 INCIDENT + "/finding-decisions", "decide_finding", WORDING, submit="Record the finding decision",
                 rule_fields={"P-FULL-INVESTIGATION": "indicator"},
                 labels={"indicator": "Finding", "action": "Decision", "reason": "Reason for the decision"}),
        FormSpec("ppu-update", "Add an update", PPUUpdateIn, "POST", "/ppu/notifications/{notification_id}/updates",
                 "add_ppu_update", WORDING, submit="Add the update"),
        FormSpec("merge", "Merge a duplicate record into this one", MergeIn, "POST", "/persons/{person_id}/merge",
                 "merge_persons", WORDING, submit="Merge the duplicate into this record",
                 labels={"duplicate_person_id": "Record id of the duplicate", "reason": "Reason for the merge"}),
    )
}

SECTION_OF = {
    "record-crime": "crimes", "victim-contact": "crimes", "propose": "crimes", "finalise-outcome": "crimes",
    "indicators": "route", "route": "route", "override": "route", "meeting": "scpo", "education": "scpo",
    "correct-recording": "crimes", "no-crime": "crimes", "add-link": "overview", "link-role": "overview",
    "finding-decision": "route",
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
    "correct-recording": "The correction has been saved, with its reason.",
    "no-crime": "The decision not to record a crime has been recorded: the report stands as a crime-related incident (N100).",
    "add-link": "The person has been linked.",
    "link-role": "The role has been changed, with its reason.",
    "finding-decision": "The finding decision has been recorded.",
    "ppu-update": "The update has been added.",
    "merge": "The duplicate record has been merged into this one.",
}
