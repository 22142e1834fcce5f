"""The police console's plain-English wording: the guidance's terms (DOMAIN.md section 3), never new rules."""
from __future__ import annotations

from services.police_api.crimes.vocabulary import OUTCOME_LABELS
from shared.console.forms import Wording

GUIDANCE = {
    "P-101": "The school's report is a serious incident, recorded on police systems; never a School Crime Beat incident.",
    "P-INCIDENT": "In all cases an incident is created and both the safeguarding route and the crime route are followed.",
    "P-PPU": "The PPU must be notified of all children and young people involved.",
    "P-CRIME": "A crime is raised for every victim and recorded within 24 hours of the report (NCRS).",
    "P-REPEAT": "Someone who has come to police attention twice or more for the same offence is flagged; each case is still judged on its merits.",
    "P-ROUTE": "A repeat offender or an adult implicated: consider prosecution, contact CID. Otherwise a decision not to prosecute, "
    "a restorative approach and education by the SCPO, and normally Outcome 21.",
    "P-FULL-INVESTIGATION": "Exploitation, coercion, a profit motive or an adult perpetrator means a full criminal investigation.",
    "P-OUTCOME21": "Outcome 21 needs a named suspect linked, the public-interest rationale written, and the victim (for a child, a "
    "parent or guardian) told, with that contact recorded.",
    "P-OUTCOME22": "Outcome 22 needs diversionary, educational or intervention activity undertaken.",
    "P-NO-CRIMINALISE": "Children are not prosecuted or criminalised for taking and sharing images of themselves.",
    "P-NOTICE": "The young people are told they are recorded against the crime type with no further action, and what that means for a future DBS check.",
}

PRIORITY_ORDER = {None: 0, "immediate": 1, "priority": 2, "standard": 3}

WORDING = Wording(
    labels={
        "priority": "Triage priority",
        "note": "Note",
        "victim_person_id": "Victim",
        "offence_code": "Offence (Home Office code)",
        "subject_person_ids": "Suspects or persons involved",
        "contacted": "Who was told of the outcome",
        "contacted_at": "When",
        "method": "How",
        "code": "Outcome",
        "public_interest_rationale": "Public-interest rationale",
        "route": "Route",
        "no_prosecution_reason": "Reason for the decision not to prosecute",
        "reason": "Reason",
        "held_on": "Date held",
        "attendees": "Who attended",
        "person_id": "Person",
        "description": "Description",
        "outcome": "Outcome of the meeting",
        "kind": "Kind of education",
        "delivered_on": "Date delivered",
        "indicators": "Findings that call for a full investigation",
        "source": "From",
        "text": "Update",
    },
    hints={
        "no_prosecution_reason": "P-ROUTE: the SCPO route records the decision not to prosecute, with its reason.",
        "public_interest_rationale": "P-OUTCOME21: why further investigation is not in the public interest.",
        "contacted": "P-OUTCOME21: for a child victim, a parent or guardian.",
        "subject_person_ids": "Leave empty to take every suspect and person involved linked to the incident.",
    },
    options={
        "immediate": "Immediate",
        "priority": "Priority",
        "standard": "Standard",
        "victim": "The victim",
        "parent_or_guardian": "A parent or guardian",
        "in_person": "In person",
        "telephone": "Telephone",
        "letter": "Letter",
        "email": "Email",
        "video": "Video call",
        "cid": "CID: consider prosecution for CSE",
        "scpo": "SCPO: decision not to prosecute, restorative approach and education",
        "general_lesson": "A general lesson",
        "assembly": "An assembly",
        "victim_input": "A specific input to the victim",
        "offender_input": "A specific input to the offender",
        "exploitation": "Exploitation",
        "coercion": "Coercion",
        "grooming": "Grooming",
        "profit_motive": "A profit motive",
        "malicious_intent": "Malicious intent",
        "persistent_behaviour": "Persistent behaviour",
        "victim_and_suspect": "Victim and suspect",
        "suspect": "Suspect",
        "person_involved": "Person involved",
        "witness": "Witness",
        "ppu": "PPU",
        "social_care": "Children's social care",
        "ceop": "CEOP",
        "health": "Health",
        "education": "Education",
        "other": "Other",
        **{str(int(code)): f"{int(code)}: {label}" for code, label in OUTCOME_LABELS.items()},
    },
)
