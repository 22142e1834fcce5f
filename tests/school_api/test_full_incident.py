"""Issue 3, acceptance 2: a full incident through the HTTP API on the real database, and its chronology."""
from __future__ import annotations

from shared.tenancy import ALL_TENANTS

import uuid

import httpx
from sqlalchemy import select

from services.police_api.reports.models import SchoolReport

from tests.school_api.workflow import AT, School
from tests.support import Tokens


async def test_full_incident_from_disclosure_to_closure_shows_every_step_in_order(
    school: httpx.AsyncClient, school_app, police_app, registered_school: str, tokens: Tokens
) -> None:
    s = School(school, tokens, registered_school)
    # Step 1: disclosure, with the structured answers.
    incident = await s.open(
        narrative="Pupil says an image she sent to a boyfriend was forwarded to a group chat <b>tonight</b>.",
        image_involvement=["sending"],
        sharing_extent="few_people",
        device_possession="pupil",
        device_ownership="personal",
        dsl_consulted=True,
        immediate_support_needed=False,
        other_pupils_involved=True,
        where_image_ended_up="A class group chat",
    )
    assert incident["status"] == "open"
    # A member of staff adds what they saw.
    seen = await school.post(s.path(incident, "/observations"), json={"observed_at": AT, "text": "Saw pupils crowding round a phone."}, headers=s.dsl)
    assert seen.status_code == 201, seen.text

    # People, with a valid UPN.
    pictured = await s.add_person(incident, upn="B801200005001", given_name="Alex", family_name="Example", date_of_birth="2011-05-01", year_group=10, age_years=None)
    sharer = await s.add_person(incident, roles=["recipient", "sharer"], sex="male", age_years=15)

    # A device with its chain of custody.
    device = await school.post(s.path(incident, "/devices"), json={"ownership": "personal", "owner_person_id": sharer["id"]}, headers=s.dsl)
    assert device.status_code == 201, device.text
    etag = device.headers["ETag"]
    for step in (
        {"kind": "confiscated", "occurred_at": AT, "by_whom": "Mr Teacher"},
        {"kind": "flight_mode", "occurred_at": AT, "by_whom": "Mr Teacher"},
        {"kind": "secured", "occurred_at": AT, "by_whom": "Ms DSL", "location": "Safe in the head's office"},
    ):
        moved = await school.post(s.path(incident, f"/devices/{device.json()['id']}/custody"), json=step, headers={**s.dsl, "If-Match": etag})
        assert moved.status_code == 201, moved.text
        etag = moved.headers["ETag"]
    assert moved.json()["held_by_school"] is True and len(moved.json()["custody"]) == 3

    # Actions, one of them not taken with its justification (S-RECORD).
    await s.inform_dsl_and_senior_management(incident)
    not_taken = await s.action(incident, "reported_to_hosting_site", taken=False, justification="The group chat is private; no hosting site to report to.")
    assert not_taken.status_code == 201, not_taken.text

    # The head authorises a search; the search meets every S-SEARCH condition.
    authorised = await school.post(
        s.path(incident, "/authorisations"),
        json={"kind": "device_search", "device_id": device.json()["id"], "authorised_person": "Mr Deputy", "reason": "To establish how far the image spread."},
        headers=s.head,
    )
    assert authorised.status_code == 201, authorised.text
    searched = await school.post(
        s.path(incident, "/searches"),
        json={
            "device_id": device.json()["id"], "pupil_person_id": sharer["id"], "authorisation_id": authorised.json()["id"],
            "searched_by": "Mr Deputy", "safeguarding_member_present": "Ms DSL", "searcher_same_sex_as_pupil": True,
            "in_line_with_school_policy": True, "would_add_distress": False,
            "distress_judgement": "Pictured pupil not present and not told details; no added distress.", "searched_at": AT,
        },
        headers=s.dsl,
    )
    assert searched.status_code == 201, searched.text

    # Risk assessment: aggravated reckless misuse (forwarded without consent).
    assessed = await s.assess(incident, typology="aggravated_youth_reckless_misuse")
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["recommendation"] == "refer_police"
    assert "S-TYPOLOGY" in assessed.json()["rule_ids"] and assessed.json()["reasons"]

    # Decision to refer: the police referral is created and reaches the police.
    decided = await s.decide(incident, outcome="refer_police", police_channel="scpo", reasons="Image forwarded without consent.")
    assert decided.status_code == 201, decided.text
    assert decided.json()["police_referral_id"]
    assert await school_app.state.relay.deliver_due() >= 1
    # The police hold the report with the people, devices and the risk assessment (never the narrative).
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        content = (await session.scalars(select(SchoolReport.content).where(SchoolReport.school_incident_id == uuid.UUID(incident["id"])))).one()
    assert {person["school_person_id"] for person in content["people"]} == {pictured["id"], sharer["id"]}
    assert content["people"][0]["upn"] == "B801200005001" and content["people"][0]["school_urn"] == registered_school
    assert content["devices"] == [{"school_device_id": device.json()["id"], "ownership": "personal", "held_by_school": True, "secured_state": "secured"}]
    assert content["risk_assessment"]["recommendation"] == "refer_police" and content["risk_assessment"]["typology"] == "aggravated_youth_reckless_misuse"
    assert "group chat <b>tonight</b>" not in str(content)

    # Review, then close.
    reviewed = await school.post(
        s.path(incident, "/review"),
        json={"outcome": "Police dealt with it by education input.", "what_worked": "Quick confiscation.", "procedure_changes": "None."},
        headers={**s.dsl, "If-Match": decided.headers["ETag"]},
    )
    assert reviewed.status_code == 201, reviewed.text
    closed = await school.post(s.path(incident, "/close"), json={"resolution": "Closed after review."}, headers={**s.dsl, "If-Match": reviewed.headers["ETag"]})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["resolution"] == "Closed after review."

    chronology = await school.get(s.path(incident, "/chronology"), headers=s.dsl)
    assert chronology.status_code == 200, chronology.text
    entries = chronology.json()["entries"]
    kinds = [entry["kind"] for entry in entries]
    assert [entry["sequence"] for entry in entries] == list(range(1, len(entries) + 1))
    # In the order things happened; the time each was recorded is shown beside it.
    assert [(entry["occurred_at"], entry["recorded_at"]) for entry in entries] == sorted((e["occurred_at"], e["recorded_at"]) for e in entries)
    # The test dates the disclosure, the observation, the custody steps, the search and the actions at AT,
    # a week before the clock: so they come first, in the order the procedure gives them, then the rest.
    assert kinds == [
        "disclosure", "observation", "custody", "custody", "custody", "action", "action", "action", "device_search", "action",
        "person_added", "person_added", "device_added", "authorisation", "risk_assessment", "decision",
        # The police's status arrives as soon as the report is delivered (the relay asks once, then follows the feed).
        "police_referral", "action", "referral_delivered", "police_status", "review", "action", "incident_closed",
    ]
    assert all(entry["occurred_at"] < entry["recorded_at"] for entry in entries if entry["kind"] in ("custody", "device_search"))
    actions = [entry["details"] for entry in entries if entry["kind"] == "action"]
    assert [a["kind"] for a in actions] == [
        "dsl_informed", "senior_management_informed", "reported_to_hosting_site", "device_searched", "police_referral", "review_held",
    ]
    assert actions[2]["taken"] is False and actions[2]["justification"]
    assert entries[-1]["details"] == {"resolution": "Closed after review."}
    referral = next(entry for entry in entries if entry["kind"] == "police_referral")
    assert referral["details"]["delivery_state"] == "delivered"
    # People are named by the record's own names and roles, never by an id.
    search = next(entry for entry in entries if entry["kind"] == "device_search")
    assert search["by"] == "Mr Deputy" and "device 1 (personal device, of Pupil person 2 (recipient, sharer))" in search["summary"]
    assert any(entry["summary"] == "Person involved: Pupil Alex Example (pictured, sender)" for entry in entries)

    # The printable page: the same steps, everything escaped, a restrictive CSP.
    page = await school.get(s.path(incident, "/chronology/print"), headers=s.head)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "<b>tonight</b>" not in page.text and "&lt;b&gt;tonight&lt;/b&gt;" in page.text
    assert page.text.count("<tr>") == len(entries) + 1
    assert incident["reference"] in page.text
    # Words, not codes: no vocabulary value of the record is printed as its code.
    for code in ("aggravated_youth_reckless_misuse", "refer_police", "dsl_informed", "senior_management_informed", "pupil_about_self"):
        assert code not in page.text
    assert "Aggravated: youth only, reckless misuse" in page.text and "Senior management informed" in page.text
    assert "@media print" in page.text and "@page" in page.text
