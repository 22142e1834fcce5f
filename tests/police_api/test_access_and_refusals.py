"""Roles, force isolation, what the school may see, and the refusals of the guidance over HTTP."""
from __future__ import annotations

from shared.tenancy import ALL_TENANTS

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.police_api.conftest import report_payload, reported_person


def rules_of(answer: httpx.Response) -> set[str]:
    return {violation["rule"] for violation in answer.json().get("violations", [])}


async def test_school_crime_beat_is_refused_wherever_a_classification_is_set(police: httpx.AsyncClient, submit, officer) -> None:
    handler = officer("call_handler")
    refused = await police.post("/incidents", json={"classification": "school_crime_beat"}, headers=handler)
    assert refused.status_code == 422 and rules_of(refused) == {"P-101"}
    created = await police.post("/incidents", json={}, headers=handler)
    assert created.status_code == 201 and created.json()["crime_deadline_at"] is not None
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    current = await police.get(f"/incidents/{receipt['police_incident_id']}", headers=handler)
    patched = await police.patch(
        f"/incidents/{receipt['police_incident_id']}", json={"classification": "school_crime_beat"},
        headers={**handler, "If-Match": current.headers["ETag"]},
    )
    assert patched.status_code == 422 and rules_of(patched) == {"P-101"}
    assert (await police.patch(f"/incidents/{receipt['police_incident_id']}", json={"classification": "child_sexual_exploitation"}, headers=handler)).status_code == 428


async def test_nothing_crosses_forces_a_foreign_id_is_not_found(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    links = (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = (await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo)).json()
    notification = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=scpo)).json()["items"][0]
    foreign = officer("supervisor", "01")
    for path in (
        f"/incidents/{incident_id}",
        f"/incidents/{incident_id}/links",
        f"/incidents/{incident_id}/assessment",
        f"/incidents/{incident_id}/crimes",
        f"/crimes/{crime['id']}",
        f"/persons/{victim['person_id']}",
        f"/ppu/notifications/{notification['id']}",
        f"/reports/{receipt['id']}",
    ):
        assert (await police.get(path, headers=foreign)).status_code == 404, path
    listed = (await police.get("/incidents", params={"limit": 200}, headers=foreign)).json()["items"]
    assert incident_id not in {item["id"] for item in listed}
    ack = await police.post(f"/ppu/notifications/{notification['id']}/acknowledge", headers={**foreign, "If-Match": '"v1"'})
    assert ack.status_code == 404


async def test_cid_sees_only_incidents_routed_to_cid_and_ppu_only_incidents_with_a_child(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    incident_id = receipt["police_incident_id"]
    cid, ppu = officer("cid"), officer("ppu")
    assert (await police.get(f"/incidents/{incident_id}", headers=cid)).status_code == 404
    assert incident_id not in {i["id"] for i in (await police.get("/incidents", params={"limit": 200}, headers=cid)).json()["items"]}
    assert (await police.get(f"/incidents/{incident_id}", headers=ppu)).status_code == 200
    empty = (await police.post("/incidents", json={}, headers=officer("call_handler"))).json()
    assert (await police.get(f"/incidents/{empty['id']}", headers=ppu)).status_code == 404  # no child notified
    assert (await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": str(uuid.uuid4()), "offence_code": "86/2"}, headers=ppu)).status_code == 403


async def test_school_client_reads_only_its_own_reports_status_and_never_officers_notes(
    police: httpx.AsyncClient, submit, officer, school_client_headers, tokens
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    scpo = officer("scpo")
    note = "Officer note: family known to children's services"
    notification = (await police.get(f"/incidents/{receipt['police_incident_id']}/ppu-notifications", headers=scpo)).json()["items"][0]
    added = await police.post(f"/ppu/notifications/{notification['id']}/updates", json={"source": "ppu", "text": note}, headers=officer("ppu"))
    assert added.status_code == 201
    triage_etag = (await police.get(f"/reports/{receipt['id']}", headers=officer("call_handler"))).headers["ETag"]
    triaged = await police.post(
        f"/reports/{receipt['id']}/triage", json={"priority": "priority", "note": note}, headers={**officer("call_handler"), "If-Match": triage_etag}
    )
    assert triaged.status_code == 200, triaged.text

    status = await police.get(f"/reports/{receipt['id']}/status", headers=school_client_headers)
    assert status.status_code == 200
    assert note not in status.text and "Officer note" not in status.text
    assert set(status.json()) == {
        "id", "police_reference", "received_at", "crimes_recorded", "crime_decision_made", "ppu_notified",
        "route", "outcome_codes", "outcome", "finalised", "updated_at",
        # When each step the school may know of happened (issue 15).
        "crime_decision_at", "ppu_notified_at", "routed_at", "finalised_at",
    }
    assert status.json()["ppu_notified"] is True and status.json()["crimes_recorded"] == 0

    for path in (f"/reports/{receipt['id']}", f"/incidents/{receipt['police_incident_id']}", f"/incidents/{receipt['police_incident_id']}/links", "/compliance/crime-recording/late-crimes"):
        assert (await police.get(path, headers=school_client_headers)).status_code == 403, path

    other_school = {"Authorization": "Bearer " + tokens.police("supervisor", "52")}
    assert (await police.get(f"/reports/{receipt['id']}/status", headers=other_school)).status_code == 403


async def test_another_school_in_the_same_force_cannot_read_the_status(
    police: httpx.AsyncClient, submit, police_app, school_app
) -> None:
    from services.police_api.clients.service import register_school_client
    from tests.support import fresh_urn

    receipt = await submit(report_payload([reported_person(["pictured"])]))
    runtime = police_app.state.runtime
    client_id = f"school-other-{uuid.uuid4().hex[:6]}"
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(session, client_id=client_id, school_urn=fresh_urn(), force_code="52", now=runtime.clock.now())
        await session.commit()
    token = (await police.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})).json()
    answer = await police.get(f"/reports/{receipt['id']}/status", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 404


async def test_incident_cannot_be_finalised_while_a_childs_ppu_notification_is_unacknowledged(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["recipient"])]))
    incident_id = receipt["police_incident_id"]
    supervisor = officer("supervisor")
    current = await police.get(f"/incidents/{incident_id}", headers=supervisor)
    no_crime = await police.post(
        f"/incidents/{incident_id}/no-crime-decision",
        json={"reason": "Image not indecent on review by the officer in the case."},
        headers={**supervisor, "If-Match": current.headers["ETag"]},
    )
    assert no_crime.status_code == 200
    notifications = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=supervisor)).json()["items"]
    first = notifications[0]
    await police.post(f"/ppu/notifications/{first['id']}/acknowledge", headers={**officer("ppu"), "If-Match": f'"v{first["version"]}"'})
    refused = await police.post(f"/incidents/{incident_id}/finalise", headers={**supervisor, "If-Match": no_crime.headers["ETag"]})
    assert refused.status_code == 422 and rules_of(refused) == {"P-PPU"}
    second = notifications[1]
    acked = await police.post(f"/ppu/notifications/{second['id']}/acknowledge", headers={**officer("ppu"), "If-Match": f'"v{second["version"]}"'})
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "ppu:ppu-52"
    again = await police.post(f"/ppu/notifications/{second['id']}/acknowledge", headers={**officer("ppu"), "If-Match": acked.headers["ETag"]})
    assert again.status_code == 409
    finalised = await police.post(f"/incidents/{incident_id}/finalise", headers={**supervisor, "If-Match": no_crime.headers["ETag"]})
    assert finalised.status_code == 200, finalised.text


async def test_incident_cannot_be_finalised_until_the_crime_route_is_followed(police: httpx.AsyncClient, submit, officer, ppu_acknowledge_all) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    incident_id = receipt["police_incident_id"]
    await ppu_acknowledge_all(incident_id)
    supervisor = officer("supervisor")
    current = await police.get(f"/incidents/{incident_id}", headers=supervisor)
    refused = await police.post(f"/incidents/{incident_id}/finalise", headers={**supervisor, "If-Match": current.headers["ETag"]})
    assert refused.status_code == 422 and rules_of(refused) == {"P-INCIDENT"}


async def test_one_crime_per_victim_with_an_offence_code_from_the_reference_table(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"]), reported_person(["recipient"])]))
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    links = {link["role"]: link for link in (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]}
    unknown_code = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": links["victim"]["person_id"], "offence_code": "99/9"}, headers=scpo)
    assert unknown_code.status_code == 422 and rules_of(unknown_code) == {"P-OFFENCES"}
    not_a_victim = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": links["witness"]["person_id"], "offence_code": "86/2"}, headers=scpo)
    assert not_a_victim.status_code == 422 and rules_of(not_a_victim) == {"P-CRIME"}
    witness_as_subject = await police.post(
        f"/incidents/{incident_id}/crimes",
        json={"victim_person_id": links["victim"]["person_id"], "offence_code": "86/2", "subject_person_ids": [links["witness"]["person_id"]]},
        headers=scpo,
    )
    assert witness_as_subject.status_code == 422 and rules_of(witness_as_subject) == {"P-CRIME"}
    first = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": links["victim"]["person_id"], "offence_code": "86/2"}, headers=scpo)
    assert first.status_code == 201 and first.json()["subject_person_ids"] == [links["person_involved"]["person_id"]]
    second = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": links["victim"]["person_id"], "offence_code": "86/10"}, headers=scpo)
    assert second.status_code == 409

    codes = {row["code"] for row in (await police.get("/offence-codes", headers=scpo)).json()["items"]}
    assert {"86/2", "86/10"} <= codes
    outcome_codes = (await police.get("/outcome-codes", headers=scpo)).json()["items"]
    assert [row["code"] for row in outcome_codes] == list(range(23))


async def test_children_are_not_charged_for_sharing_images_of_themselves_and_outcome_22_needs_activity(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["pictured", "sender"])]))
    incident_id = receipt["police_incident_id"]
    scpo, supervisor = officer("scpo"), officer("supervisor")
    links = (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]
    assert {link["role"] for link in links} == {"victim_and_suspect"}
    crime = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": links[0]["person_id"], "offence_code": "86/2"}, headers=scpo)
    assert crime.json()["subject_person_ids"] == [links[1]["person_id"]]
    charge = await police.post(f"/crimes/{crime.json()['id']}/outcome", json={"code": 1}, headers={**supervisor, "If-Match": crime.headers["ETag"]})
    assert charge.status_code == 422 and rules_of(charge) == {"P-NO-CRIMINALISE"}
    twenty_two = await police.post(
        f"/crimes/{crime.json()['id']}/outcome", json={"code": 22, "public_interest_rationale": "Education is enough."},
        headers={**supervisor, "If-Match": crime.headers["ETag"]},
    )
    assert twenty_two.status_code == 422 and rules_of(twenty_two) == {"P-OUTCOME22"}
    education_before_route = await police.post(
        f"/incidents/{incident_id}/education", json={"kind": "assembly", "delivered_on": "2026-12-01", "description": "Assembly."}, headers=scpo
    )
    assert education_before_route.status_code == 422 and rules_of(education_before_route) == {"P-ROUTE"}
    etag = (await police.get(f"/incidents/{incident_id}", headers=scpo)).headers["ETag"]
    await police.post(f"/incidents/{incident_id}/route", json={"route": "scpo", "no_prosecution_reason": "Self-generated, consensual exchange."}, headers={**scpo, "If-Match": etag})
    unnamed_input = await police.post(
        f"/incidents/{incident_id}/education", json={"kind": "offender_input", "delivered_on": "2026-12-01", "description": "Input."}, headers=scpo
    )
    assert unnamed_input.status_code == 422 and rules_of(unnamed_input) == {"P-ROUTE"}
    education = await police.post(
        f"/incidents/{incident_id}/education", json={"kind": "assembly", "delivered_on": "2026-12-01", "description": "Assembly."}, headers=scpo
    )
    assert education.status_code == 201
    twenty_two = await police.post(
        f"/crimes/{crime.json()['id']}/outcome", json={"code": 22, "public_interest_rationale": "Education given; no further action."},
        headers={**supervisor, "If-Match": crime.headers["ETag"]},
    )
    assert twenty_two.status_code == 200, twenty_two.text
    assert twenty_two.json()["outcome_code"] == 22


@pytest.mark.parametrize("role", ["call_handler", "ppu", "cid", "crime_registrar"])
async def test_only_the_supervisor_overrides_a_route(police: httpx.AsyncClient, officer, role: str) -> None:
    incident = await police.post("/incidents", json={}, headers=officer("call_handler"))
    answer = await police.post(
        f"/incidents/{incident.json()['id']}/route-override",
        json={"route": "scpo", "reason": "Trying to override without the role."},
        headers={**officer(role), "If-Match": incident.headers["ETag"]},
    )
    assert answer.status_code == 403


async def test_victim_contact_cannot_be_dated_in_the_future(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo = officer("scpo")
    links = (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = (await police.post(f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo)).json()
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    answer = await police.post(f"/crimes/{crime['id']}/victim-contacts", json={"contacted": "victim", "contacted_at": future, "method": "letter"}, headers=scpo)
    assert answer.status_code == 422


async def test_a_registrar_cannot_move_a_crimes_recorded_time_before_the_report_was_received(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo, registrar = officer("scpo"), officer("crime_registrar")
    links = (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = await police.post(
        f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    received = datetime.fromisoformat(receipt["received_at"])
    for recorded_at in (received - timedelta(hours=1), datetime.now(UTC) + timedelta(days=1)):
        refused = await police.patch(
            f"/crimes/{crime.json()['id']}/recording",
            json={"recorded_at": recorded_at.isoformat(), "reason": "Recorded on paper before the system had it."},
            headers={**registrar, "If-Match": crime.headers["ETag"]},
        )
        assert refused.status_code == 422 and rules_of(refused) == {"P-CRIME"}, refused.text
    on_receipt = await police.patch(
        f"/crimes/{crime.json()['id']}/recording",
        json={"recorded_at": receipt["received_at"], "reason": "Recorded on paper as the report came in."},
        headers={**registrar, "If-Match": crime.headers["ETag"]},
    )
    assert on_receipt.status_code == 200, on_receipt.text


async def test_reads_and_writes_of_crimes_and_ppu_notifications_are_audited(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    incident_id = receipt["police_incident_id"]
    scpo, supervisor = officer("scpo"), officer("supervisor")
    links = (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = (await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo)).json()
    await police.get(f"/crimes/{crime['id']}", headers=officer("crime_registrar"))
    crime_audit = (await police.get("/audit", params={"record_id": crime["id"], "limit": 200}, headers=supervisor)).json()["items"]
    assert [(e["operation"], e["role"]) for e in crime_audit][:1] == [("crime.create", "scpo")]
    assert ("crime.read", "crime_registrar") in {(e["operation"], e["role"]) for e in crime_audit}
    notification = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=scpo)).json()["items"][0]
    await police.post(f"/ppu/notifications/{notification['id']}/acknowledge", headers={**officer("ppu"), "If-Match": f'"v{notification["version"]}"'})
    ppu_audit = (await police.get("/audit", params={"record_id": notification["id"], "limit": 200}, headers=supervisor)).json()["items"]
    operations = [e["operation"] for e in ppu_audit]
    assert operations[0] == "ppu_notification.create" and "ppu_notification.acknowledge" in operations


async def test_full_investigation_finding_routes_to_cid_and_blocks_outcome_21_until_overridden_with_a_reason(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    incident_id = receipt["police_incident_id"]
    scpo, supervisor = officer("scpo"), officer("supervisor")
    etag = (await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)).headers["ETag"]
    assessed = await police.put(f"/incidents/{incident_id}/assessment", json={"indicators": ["coercion"]}, headers={**scpo, "If-Match": etag})
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["computed_route"] == "cid"
    assert {r["rule"] for r in assessed.json()["full_investigation_reasons"]} == {"P-FULL-INVESTIGATION"}
    links = (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo)
    body = {"code": 21, "public_interest_rationale": "Low harm."}
    blocked = await police.post(f"/crimes/{crime.json()['id']}/outcome-proposal", json=body, headers={**scpo, "If-Match": crime.headers["ETag"]})
    assert "P-FULL-INVESTIGATION" in rules_of(blocked)
    assert (await police.post(
        f"/incidents/{incident_id}/route-override",
        json={"route": "scpo", "reason": "Coercion not borne out by interviews.", "no_prosecution_reason": "No public interest."},
        headers={**supervisor, "If-Match": assessed.headers["ETag"]},
    )).status_code == 412  # recording the crime changed the incident since the assessment was read
    current = await police.get(f"/incidents/{incident_id}/assessment", headers=supervisor)
    overridden = await police.post(
        f"/incidents/{incident_id}/route-override",
        json={"route": "scpo", "reason": "Coercion not borne out by interviews.", "no_prosecution_reason": "No public interest in prosecution."},
        headers={**supervisor, "If-Match": current.headers["ETag"]},
    )
    assert overridden.status_code == 200, overridden.text
    after = await police.post(f"/crimes/{crime.json()['id']}/outcome-proposal", json=body, headers={**scpo, "If-Match": crime.headers["ETag"]})
    assert "P-FULL-INVESTIGATION" not in rules_of(after) and "P-ROUTE" not in rules_of(after)
    assert rules_of(after) == {"P-PPU", "P-OUTCOME21"}  # still: PPU acknowledgement and the victim's parent told
