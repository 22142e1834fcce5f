"""Issue 4, acceptance 2: two school reports through the HTTP API on the real database.

- An experimental case: SCPO route (P-ROUTE), restorative meeting and education, Outcome 21
  (P-OUTCOME21) and a notice for each young person (P-NOTICE); the school sees the outcome.
- An adult-implicated case: routed to CID (P-ROUTE, P-FULL-INVESTIGATION), Outcome 21 refused.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.police_api.conftest import report_payload, reported_person


def just_now() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def rules_of(answer: httpx.Response) -> set[str]:
    return {violation["rule"] for violation in answer.json().get("violations", [])}


async def test_experimental_case_ends_in_outcome_21_via_the_scpo_route_with_a_notice_per_young_person(
    police: httpx.AsyncClient, submit, officer, ppu_acknowledge_all, school_client_headers
) -> None:
    pictured = reported_person(["pictured", "sender"])
    partner = reported_person(["recipient", "possessor"])
    receipt = await submit(report_payload([pictured, partner], typology="experimental_romantic"))
    incident_id = receipt["police_incident_id"]
    scpo, supervisor = officer("scpo"), officer("supervisor")

    incident = (await police.get(f"/incidents/{incident_id}", headers=scpo)).json()
    assert incident["crime_decision"] == "pending"
    assert 0 < incident["crime_time_left_seconds"] <= 24 * 3600

    links = {tuple(link["reported_roles"]): link for link in (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]}
    victim = links[("pictured", "sender")]
    involved = links[("possessor", "recipient")]
    assert victim["role"] == "victim_and_suspect"
    assert involved["role"] == "person_involved"  # non-aggravated: the 2024 recording

    crime = await police.post(
        f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    crime_body = crime.json()
    assert crime_body["subject_person_ids"] == [involved["person_id"]]
    assert crime_body["recorded_late"] is False

    early = await police.post(
        f"/crimes/{crime_body['id']}/outcome-proposal",
        json={"code": 21},
        headers={**scpo, "If-Match": crime.headers["ETag"]},
    )
    assert early.status_code == 422
    assert {"P-PPU", "P-ROUTE", "P-OUTCOME21"} <= rules_of(early)
    assert len(early.json()["violations"]) == 4  # PPU, no decision not to prosecute, no rationale, no contact

    assessment = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    assert assessment.json()["computed_route"] == "scpo" and assessment.json()["adult_implicated"] is False
    routed = await police.post(
        f"/incidents/{incident_id}/route",
        json={"route": "scpo", "no_prosecution_reason": "Experimental, consensual, no aggravating features."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    assert routed.status_code == 200, routed.text
    assert routed.json()["route"] == "scpo"

    await ppu_acknowledge_all(incident_id)
    meeting = await police.post(
        f"/incidents/{incident_id}/restorative-meetings",
        json={
            "held_on": "2026-12-01",
            "attendees": [
                {"person_id": victim["person_id"], "description": "victim"},
                {"person_id": involved["person_id"], "description": "person involved"},
                {"description": "head of year"},
            ],
            "outcome": "Both understood the harm; image deleted in the officer's presence.",
        },
        headers=scpo,
    )
    assert meeting.status_code == 201, meeting.text
    for kind, person in (("assembly", None), ("victim_input", victim["person_id"]), ("offender_input", involved["person_id"])):
        education = await police.post(
            f"/incidents/{incident_id}/education",
            json={"kind": kind, "delivered_on": "2026-12-02", "person_id": person, "description": "Sharing nudes: law and consent."},
            headers=scpo,
        )
        assert education.status_code == 201, education.text

    contact = await police.post(
        f"/crimes/{crime_body['id']}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": just_now(), "method": "telephone"},
        headers=scpo,
    )
    assert contact.status_code == 201, contact.text

    current = await police.get(f"/crimes/{crime_body['id']}", headers=scpo)
    proposal = await police.post(
        f"/crimes/{crime_body['id']}/outcome-proposal",
        json={"code": 21, "public_interest_rationale": "Non-abusive, no exploitation; prosecution would not serve the child."},
        headers={**scpo, "If-Match": current.headers["ETag"]},
    )
    assert proposal.status_code == 200, proposal.text
    assert proposal.json()["proposed_outcome"] == 21

    refused_for_scpo = await police.post(
        f"/crimes/{crime_body['id']}/outcome", json={"code": 21}, headers={**scpo, "If-Match": proposal.headers["ETag"]}
    )
    assert refused_for_scpo.status_code == 403  # the supervisor finalises outcomes
    final = await police.post(
        f"/crimes/{crime_body['id']}/outcome", json={"code": 21}, headers={**supervisor, "If-Match": proposal.headers["ETag"]}
    )
    assert final.status_code == 200, final.text
    assert final.json()["outcome_code"] == 21 and final.json()["status"] == "finalised"

    notices = await police.get(f"/crimes/{crime_body['id']}/notices", headers=scpo)
    assert notices.status_code == 200, notices.text
    assert {n["person_id"] for n in notices.json()["items"]} == {victim["person_id"], involved["person_id"]}
    for notice in notices.json()["items"]:
        assert "indecent photographs or pseudo-photographs of a child" in notice["text"]
        assert "no further action" in notice["text"] and "enhanced DBS" in notice["text"]

    incident = await police.get(f"/incidents/{incident_id}", headers=supervisor)
    finalised = await police.post(
        f"/incidents/{incident_id}/finalise", headers={**supervisor, "If-Match": incident.headers["ETag"]}
    )
    assert finalised.status_code == 200, finalised.text
    assert finalised.json()["status"] == "finalised"

    status = await police.get(f"/reports/{receipt['id']}/status", headers=school_client_headers)
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["crimes_recorded"] == 1 and body["crime_decision_made"] is True and body["ppu_notified"] is True
    assert body["route"] == "scpo" and body["outcome_codes"] == [21] and body["finalised"] is True
    assert body["outcome"].startswith("Outcome 21")
    text = status.text
    for private in ("Experimental, consensual", "Non-abusive", "image deleted", "rationale", "reason", "note"):
        assert private not in text


async def test_adult_implicated_case_routes_to_cid_and_refuses_outcome_21(
    police: httpx.AsyncClient, submit, officer, ppu_acknowledge_all
) -> None:
    child = reported_person(["pictured"])
    adult = reported_person(["coercer", "possessor"], kind="adult", date_of_birth=None, age_years=34)
    receipt = await submit(report_payload([child, adult], typology="aggravated_adult_involved"))
    incident_id = receipt["police_incident_id"]
    scpo, cid, supervisor = officer("scpo"), officer("cid"), officer("supervisor")

    links = {link["reported_roles"][0]: link for link in (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]}
    assert links["pictured"]["role"] == "victim"
    assert links["coercer"]["role"] == "suspect"
    assert (await police.get(f"/incidents/{incident_id}", headers=cid)).status_code == 404  # not routed to CID yet

    notifications = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=scpo)).json()["items"]
    assert [n["person_id"] for n in notifications] == [links["pictured"]["person_id"]]  # every child, not the adult

    assessment = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    assert assessment.json()["adult_implicated"] is True
    assert assessment.json()["computed_route"] == "cid"
    assert {"P-ROUTE", "P-FULL-INVESTIGATION"} <= {reason["rule"] for reason in assessment.json()["computed_reasons"]}
    assert assessment.json()["indicators"] == ["coercion"]  # the reported coercer, from intake

    wrong = await police.post(
        f"/incidents/{incident_id}/route",
        json={"route": "scpo", "no_prosecution_reason": "Trying to keep it with the SCPO."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    assert wrong.status_code == 422 and rules_of(wrong) == {"P-ROUTE"}
    routed = await police.post(
        f"/incidents/{incident_id}/route", json={"route": "cid"}, headers={**scpo, "If-Match": assessment.headers["ETag"]}
    )
    assert routed.status_code == 200, routed.text
    assert (await police.get(f"/incidents/{incident_id}", headers=cid)).status_code == 200

    crime = await police.post(
        f"/incidents/{incident_id}/crimes",
        json={"victim_person_id": links["pictured"]["person_id"], "offence_code": "86/2"},
        headers=cid,
    )
    assert crime.status_code == 201, crime.text
    await ppu_acknowledge_all(incident_id)
    await police.post(
        f"/crimes/{crime.json()['id']}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": just_now(), "method": "in_person"},
        headers=cid,
    )
    current = await police.get(f"/crimes/{crime.json()['id']}", headers=cid)
    refused = await police.post(
        f"/crimes/{crime.json()['id']}/outcome",
        json={"code": 21, "public_interest_rationale": "Attempt to close the case quickly."},
        headers={**supervisor, "If-Match": current.headers["ETag"]},
    )
    assert refused.status_code == 422
    assert rules_of(refused) == {"P-FULL-INVESTIGATION", "P-ROUTE"}
    messages = " ".join(v["message"] for v in refused.json()["violations"])
    assert "adult" in messages.lower()
    assert (await police.get(f"/crimes/{crime.json()['id']}/notices", headers=cid)).status_code == 422
