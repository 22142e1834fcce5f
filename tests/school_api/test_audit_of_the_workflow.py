"""Every read and write of a record is audited: who, which role, what, when. A record's trail
(GET /audit?record_id=…) shows who added it, every request that showed it, and who was refused it."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from shared.clock import Clock
from tests.school_api.workflow import School
from tests.support import Tokens


async def left_by(s: School, answer: httpx.Response, record_id: str) -> list[tuple[str, str]]:
    """(operation, role) of each row that the request given `answer` left in the record's trail."""
    trail = await s.client.get("/audit", params={"record_id": record_id, "limit": 200}, headers=s.dsl)
    assert trail.status_code == 200, trail.text
    return [(row["operation"], row["role"]) for row in trail.json()["items"] if row["request_id"] == answer.headers["x-request-id"]]


def custody_ids(device: dict[str, Any]) -> list[str]:
    return [step["id"] for step in device["custody"]]


async def test_person_trail_shows_creation_reads_by_chronology_and_the_headteacher(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    person = await s.add_person(incident)
    assert (await school.get(s.path(incident, f"/people/{person['id']}"), headers=s.head)).status_code == 200
    assert (await school.get(s.path(incident, "/chronology"), headers=s.dsl)).status_code == 200
    trail = (await school.get("/audit", params={"record_id": person["id"], "limit": 200}, headers=s.dsl)).json()["items"]
    operations = [(entry["operation"], entry["role"]) for entry in trail]
    assert operations[0] == ("person.create", "dsl")
    assert ("person.read", "headteacher") in operations and ("person.read", "dsl") in operations


async def test_image_viewing_refused_by_s_image_is_audited_on_the_incident(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    viewing = await school.post(s.path(incident, "/image-viewings"), json={"viewed_at": "2026-11-27T09:00:00Z"}, headers=s.head)
    assert viewing.status_code == 422
    trail = (await school.get("/audit", params={"record_id": incident["id"], "limit": 200}, headers=s.dsl)).json()["items"]
    refused = [entry for entry in trail if entry["outcome"] == "refused"]
    assert any(entry["problem_type"].endswith("/rule-violation") and entry["role"] == "headteacher" for entry in refused)


async def test_every_custody_event_shown_is_audited_as_read(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    phone, tablet = await s.add_device(incident), await s.add_device(incident, "school")
    phone = await s.custody_step(incident, await s.custody_step(incident, phone, "confiscated"), "switched_off")
    await s.custody_step(incident, tablet, "confiscated")

    devices = await school.get(s.path(incident, "/devices"), headers=s.head)
    shown = [step for device in devices.json()["items"] for step in custody_ids(device)]
    assert len(shown) == 3
    # The list's one row names each step (found by the step's id); the chronology audits each on its own row.
    for step in shown:
        assert await left_by(s, devices, step) == [("device.list", "headteacher")]

    chronology = await school.get(s.path(incident, "/chronology"), headers=s.head)
    in_chronology = [entry["record_id"] for entry in chronology.json()["entries"] if entry["kind"] == "custody"]
    assert sorted(in_chronology) == sorted(shown)
    for step in in_chronology:
        assert await left_by(s, chronology, step) == [("custody_event.read", "headteacher")]

    printed = await school.get(s.path(incident, "/chronology/print"), headers=s.head)
    for step in shown:
        assert await left_by(s, printed, step) == [("custody_event.read", "headteacher")]


async def test_a_device_shown_alone_reads_only_its_own_custody_events(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    phone, tablet = await s.add_device(incident), await s.add_device(incident, "school")
    phone = await s.custody_step(incident, await s.custody_step(incident, phone, "confiscated"), "flight_mode")
    tablet = await s.custody_step(incident, tablet, "confiscated")

    shown = await school.get(s.path(incident, f"/devices/{phone.json()['id']}"), headers=s.head)
    assert custody_ids(shown.json()) == custody_ids(phone.json()) and len(custody_ids(phone.json())) == 2
    for step in custody_ids(phone.json()):
        assert await left_by(s, shown, step) == [("custody_event.read", "headteacher")]
    assert await left_by(s, shown, custody_ids(tablet.json())[0]) == [], "the other device's step was neither shown nor read"


async def test_a_custody_event_recorded_is_audited_under_its_own_id(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    device = await s.add_device(incident)
    first = await s.custody_step(incident, device, "confiscated")
    second = await s.custody_step(incident, first, "secured", location="The head's safe")
    earlier, new = custody_ids(second.json())

    # The new step is created, and read back in the answer with the step before it; the device records its change.
    assert await left_by(s, second, new) == [("custody_event.create", "dsl"), ("custody_event.read", "dsl")]
    assert await left_by(s, second, earlier) == [("custody_event.read", "dsl")]
    assert ("device.custody", "dsl") in await left_by(s, second, device.json()["id"])

    # The id the chronology gives a step is the id its trail is found under.
    chronology = await school.get(s.path(incident, "/chronology"), headers=s.dsl)
    for step in (entry["record_id"] for entry in chronology.json()["entries"] if entry["kind"] == "custody"):
        trail = (await school.get("/audit", params={"record_id": step, "limit": 200}, headers=s.dsl)).json()["items"]
        assert (trail[0]["operation"], trail[0]["role"]) == ("custody_event.create", "dsl")


async def test_the_police_referral_a_decision_names_is_audited_as_read(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    decided = await s.decide(incident, outcome="refer_police", police_channel="scpo", reasons="Intent to harm (S-POLICE).")
    assert decided.status_code == 201, decided.text

    shown = await school.get(s.path(incident, "/decision"), headers=s.head)
    referral_id = shown.json()["police_referral_id"]
    assert referral_id == decided.json()["police_referral_id"]
    assert await left_by(s, shown, referral_id) == [("police_referral.read", "headteacher")]


async def test_the_action_log_read_to_check_s_dsl_is_audited_as_read(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    informed = [(await s.action(incident, kind)).json()["id"] for kind in ("dsl_informed", "senior_management_informed")]
    assert (await s.assess(incident)).status_code == 201
    decided = await s.decide(incident, outcome="manage_in_school", reasons="Experimental, no aggravating factors.")
    assert decided.status_code == 201, decided.text
    for action_id in informed:
        assert await left_by(s, decided, action_id) == [("action.read", "dsl")]


async def test_the_decision_shown_is_the_one_audited_not_the_one_it_escalated(
    school: httpx.AsyncClient, tokens: Tokens, urn: str, moved_clock: Clock
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    await s.ready_to_decide(incident, typology="experimental_romantic")
    managed = await s.decide(incident, outcome="manage_in_school", reasons="Both willing, no aggravating factors.")
    assert managed.status_code == 201, managed.text
    moved_clock.advance(timedelta(minutes=5))
    assert (await s.assess(incident, typology="experimental_romantic", immediate={"immediate_risk_of_harm": True})).status_code == 201
    escalated = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Pupil now presenting as self-harming.")
    assert escalated.status_code == 201, escalated.text

    shown = await school.get(s.path(incident, "/decision"), headers=s.head)
    assert shown.json()["id"] == escalated.json()["id"]
    assert await left_by(s, shown, escalated.json()["id"]) == [("decision.read", "headteacher")]
    assert await left_by(s, shown, managed.json()["id"]) == [], "the decision it escalated was neither shown nor read"
