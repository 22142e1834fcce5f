"""Issue 16: the chronology reads in the order things happened, in words, naming people; and prints to PDF."""
from __future__ import annotations

import io
from enum import StrEnum

import httpx
from pypdf import PdfReader

from services.school_api.access import SchoolRole
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor, Recommendation, Typology
from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.chronology.vocabulary import ChronologyKind
from services.school_api.chronology.words import WORDS
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from services.school_api.incidents.vocabulary import (
    DeviceOwnership, DevicePossession, DisclosureSource, ImageInvolvement, ImageNature, IncidentStatus, SharingExtent,
)
from services.school_api.people.vocabulary import PersonKind, PersonRole, Sex, Vulnerability
from services.school_api.referrals.vocabulary import DeliveryState, PoliceChannel
from tests.school_api.workflow import School
from tests.support import Tokens

SHOWN: tuple[type[StrEnum], ...] = (
    ChronologyKind, SchoolRole, ActionKind, Typology, Recommendation, ImmediateCriterion, JudgementFactor, AuthorisationKind,
    DecisionOutcome, PoliceChannel, DeliveryState, DeviceOwner, CustodyEventKind, IncidentStatus, DisclosureSource, ImageNature,
    ImageInvolvement, SharingExtent, DevicePossession, DeviceOwnership, PersonRole, PersonKind, Sex, Vulnerability,
)


def test_every_code_the_chronology_shows_has_its_words_in_the_one_table() -> None:
    missing = [f"{vocabulary.__name__}.{member.name}" for vocabulary in SHOWN for member in vocabulary if member not in WORDS]
    assert missing == []


async def a_recorded_case(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> tuple[School, dict]:
    s = School(school, tokens, urn)
    incident = await s.open(disclosed_at="2026-11-20T08:30:00Z")
    await s.add_person(incident, given_name="Sam", family_name="Pupil", roles=["pictured", "sender"])
    # Recorded in this order, but the second happened first: the chronology shows it first.
    for kind, at in (("senior_management_informed", "2026-11-20T10:00:00Z"), ("dsl_informed", "2026-11-20T09:00:00Z")):
        answer = await school.post(
            s.path(incident, "/actions"), headers=s.dsl,
            json={"kind": kind, "taken": True, "performed_by": "Ms Patel (DSL)", "occurred_at": at},
        )
        assert answer.status_code == 201, answer.text
    assessed = await s.assess(incident, typology="aggravated_adult_involved", immediate={"adult_involved": True})
    assert assessed.status_code == 201, assessed.text
    return s, incident


async def test_the_chronology_orders_by_when_things_happened_and_shows_when_each_was_recorded(
    school: httpx.AsyncClient, tokens: Tokens, urn: str
) -> None:
    s, incident = await a_recorded_case(school, tokens, urn)
    entries = (await school.get(s.path(incident, "/chronology"), headers=s.dsl)).json()["entries"]
    summaries = [entry["summary"] for entry in entries]
    assert summaries.index("DSL informed") < summaries.index("Senior management informed")
    dsl_informed = entries[summaries.index("DSL informed")]
    assert dsl_informed["occurred_at"] < dsl_informed["recorded_at"] and dsl_informed["by"] == "Ms Patel (DSL)"
    assert entries[0]["kind"] == "disclosure" and entries[0]["occurred_at"].startswith("2026-11-20T08:30")
    assessment = next(entry for entry in entries if entry["kind"] == "risk_assessment")
    assert assessment["summary"] == "Risk assessment: Refer to the police immediately (S-IMMEDIATE, S-POLICE)"
    assert {"label": "Typology", "text": "Aggravated: adult involved"} in assessment["lines"]
    assert assessment["details"]["typology"] == "aggravated_adult_involved"  # the code stays for a machine


async def test_the_chronology_pdf_reads_in_the_order_of_events_in_words(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s, incident = await a_recorded_case(school, tokens, urn)
    answer = await school.get(s.path(incident, "/chronology/pdf"), headers=s.head)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    flat = " ".join(text.split())
    assert incident["reference"] in flat and "OFFICIAL-SENSITIVE" in flat
    # The actions happened on the day of the disclosure; the person was recorded today, then the assessment.
    order = ["Disclosure: incident", "DSL informed", "Senior management informed", "Person involved: Pupil Sam Pupil (pictured, sender)",
             "Risk assessment: Refer to the police immediately"]
    positions = [flat.find(text) for text in order]
    assert -1 not in positions, (positions, flat)
    assert positions == sorted(positions)
    for code in ("aggravated_adult_involved", "refer_police_immediately", "dsl_informed", "pupil_about_self"):
        assert code not in flat
