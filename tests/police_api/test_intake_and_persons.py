"""Intake in one transaction (P-INCIDENT, P-CRIME, P-PPU), the nominal index and merging (issue 4, Records)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import httpx

from tests.police_api.conftest import random_name, random_upn, report_payload, reported_person


async def test_intake_opens_incident_links_everyone_notifies_ppu_of_every_child_and_starts_the_24_hour_clock(
    police: httpx.AsyncClient, submit, officer
) -> None:
    people = [
        reported_person(["pictured"]),
        reported_person(["sharer"]),
        reported_person(["recipient"], kind="child_elsewhere"),
        reported_person(["discloser"], kind="adult", date_of_birth=None),
    ]
    receipt = await submit(report_payload(people, typology="aggravated_youth_reckless_misuse"))
    handler = officer("call_handler")
    incident = (await police.get(f"/incidents/{receipt['police_incident_id']}", headers=handler)).json()
    assert incident["reference"] == receipt["police_reference"] and incident["reference"].startswith("52-")
    assert incident["classification"] == "youth_produced_sexual_imagery"
    received = datetime.fromisoformat(receipt["received_at"])
    assert datetime.fromisoformat(incident["crime_deadline_at"]) == received + timedelta(hours=24)

    links = (await police.get(f"/incidents/{incident['id']}/links", headers=handler)).json()["items"]
    roles = {link["reported_roles"][0]: link["role"] for link in links}
    assert roles == {"pictured": "victim", "sharer": "suspect", "recipient": "witness", "discloser": "witness"}

    notifications = (await police.get(f"/incidents/{incident['id']}/ppu-notifications", headers=officer("ppu"))).json()["items"]
    children = {link["person_id"] for link in links if link["age_status"] == "child"}
    assert len(children) == 3
    assert {n["person_id"] for n in notifications} == children
    assert all(n["acknowledged_at"] is None for n in notifications)


async def test_a_replayed_report_creates_no_second_incident_or_person(police: httpx.AsyncClient, submit, officer) -> None:
    payload = report_payload([reported_person(["pictured", "sender"])])
    key = "replay-" + uuid.uuid4().hex
    first = await submit(payload, key=key)
    again = await submit(payload, key=key)
    assert again == first
    supervisor = officer("supervisor")
    links = (await police.get(f"/incidents/{first['police_incident_id']}/links", headers=supervisor)).json()["items"]
    assert len(links) == 1
    history = (await police.get(f"/persons/{links[0]['person_id']}", headers=supervisor)).json()["history"]
    assert len(history) == 1  # the replay linked nobody again
    # A new report about the same child finds the same person in the force's index.
    later = await submit(payload | {"school_incident_id": str(uuid.uuid4())})
    later_links = (await police.get(f"/incidents/{later['police_incident_id']}/links", headers=supervisor)).json()["items"]
    assert later_links[0]["person_id"] == links[0]["person_id"]


async def test_person_is_found_again_by_normalised_name_and_date_of_birth_or_by_upn(police: httpx.AsyncClient, submit, officer) -> None:
    given, family = random_name(), random_name()
    first = await submit(report_payload([reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 5, 6))]))
    same = await submit(
        report_payload([reported_person(["pictured"], given_name=f"  {given.upper()} ", family_name=f"{family.lower()}.", date_of_birth=date(2011, 5, 6))])
    )
    other_dob = await submit(report_payload([reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 5, 7))]))
    scpo = officer("scpo")

    def person_of(receipt: dict) -> str:
        return receipt["police_incident_id"]

    ids = []
    for receipt in (first, same, other_dob):
        links = (await police.get(f"/incidents/{person_of(receipt)}/links", headers=scpo)).json()["items"]
        ids.append(links[0]["person_id"])
    assert ids[0] == ids[1] != ids[2]

    upn = random_upn()
    by_upn_a = await submit(report_payload([reported_person(["sender"], upn=upn)]))
    by_upn_b = await submit(report_payload([reported_person(["sender"], upn=upn)]))  # different name, same UPN
    a = (await police.get(f"/incidents/{by_upn_a['police_incident_id']}/links", headers=scpo)).json()["items"][0]["person_id"]
    b = (await police.get(f"/incidents/{by_upn_b['police_incident_id']}/links", headers=scpo)).json()["items"][0]["person_id"]
    assert a == b
    history = (await police.get(f"/persons/{a}", headers=scpo)).json()["history"]
    assert [item["police_reference"] for item in history] == [by_upn_a["police_reference"], by_upn_b["police_reference"]]


async def test_merging_two_records_of_one_person_moves_their_history_and_is_audited(police: httpx.AsyncClient, submit, officer) -> None:
    first = await submit(report_payload([reported_person(["sender"], date_of_birth=date(2010, 1, 1))]))
    second = await submit(report_payload([reported_person(["sender"], date_of_birth=date(2010, 1, 1))]))
    supervisor = officer("supervisor")
    kept_id = (await police.get(f"/incidents/{first['police_incident_id']}/links", headers=supervisor)).json()["items"][0]["person_id"]
    duplicate_id = (await police.get(f"/incidents/{second['police_incident_id']}/links", headers=supervisor)).json()["items"][0]["person_id"]
    assert kept_id != duplicate_id
    kept = await police.get(f"/persons/{kept_id}", headers=supervisor)

    no_reason = await police.post(
        f"/persons/{kept_id}/merge", json={"duplicate_person_id": duplicate_id}, headers={**supervisor, "If-Match": kept.headers["ETag"]}
    )
    assert no_reason.status_code == 422
    refused = await police.post(
        f"/persons/{kept_id}/merge", json={"duplicate_person_id": duplicate_id, "reason": "Same child, name misspelt by the school."},
        headers=officer("call_handler") | {"If-Match": kept.headers["ETag"]},
    )
    assert refused.status_code == 403
    merged = await police.post(
        f"/persons/{kept_id}/merge", json={"duplicate_person_id": duplicate_id, "reason": "Same child, name misspelt by the school."},
        headers={**supervisor, "If-Match": kept.headers["ETag"]},
    )
    assert merged.status_code == 200, merged.text
    assert [item["police_reference"] for item in merged.json()["history"]] == [first["police_reference"], second["police_reference"]]
    assert (await police.get(f"/persons/{duplicate_id}", headers=supervisor)).json()["merged_into_id"] == kept_id
    audit = (await police.get("/audit", params={"record_id": kept_id, "limit": 200}, headers=supervisor)).json()["items"]
    assert "person.merge" in {entry["operation"] for entry in audit}
    assert any(entry["operation"] == "person.merge" and entry["subject"] == "supervisor-52" for entry in audit)


async def test_a_link_moved_by_a_merge_refuses_an_edit_made_on_its_version_from_before_the_merge(
    police: httpx.AsyncClient, submit, officer
) -> None:
    first = await submit(report_payload([reported_person(["sender"], date_of_birth=date(2010, 2, 2))]))
    second = await submit(report_payload([reported_person(["sender"], date_of_birth=date(2010, 2, 2))]))
    supervisor = officer("supervisor")
    kept_link = (await police.get(f"/incidents/{first['police_incident_id']}/links", headers=supervisor)).json()["items"][0]
    moved_link = (await police.get(f"/incidents/{second['police_incident_id']}/links", headers=supervisor)).json()["items"][0]
    kept = await police.get(f"/persons/{kept_link['person_id']}", headers=supervisor)
    merged = await police.post(
        f"/persons/{kept_link['person_id']}/merge",
        json={"duplicate_person_id": moved_link["person_id"], "reason": "Same child, two school records."},
        headers={**supervisor, "If-Match": kept.headers["ETag"]},
    )
    assert merged.status_code == 200, merged.text

    stale = await police.patch(
        f"/links/{moved_link['id']}", json={"role": "suspect"}, headers={**supervisor, "If-Match": f'"v{moved_link["version"]}"'}
    )
    assert stale.status_code == 412, stale.text
    now = next(
        link for link in (await police.get(f"/incidents/{second['police_incident_id']}/links", headers=supervisor)).json()["items"]
        if link["id"] == moved_link["id"]
    )
    assert now["person_id"] == kept_link["person_id"] and now["version"] == moved_link["version"] + 1


async def test_an_officer_links_a_person_and_a_child_is_notified_to_the_ppu(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    handler = officer("call_handler")
    created = await police.post(
        f"/incidents/{receipt['police_incident_id']}/links",
        json={"person": {"given_name": random_name(), "family_name": random_name(), "age_years": 15, "kind": "child_elsewhere"}, "reported_roles": ["possessor"]},
        headers=handler,
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "person_involved"
    notifications = (await police.get(f"/incidents/{receipt['police_incident_id']}/ppu-notifications", headers=handler)).json()["items"]
    assert created.json()["person_id"] in {n["person_id"] for n in notifications}

    twice = await police.post(
        f"/incidents/{receipt['police_incident_id']}/links",
        json={"person_id": created.json()["person_id"], "role": "witness"},
        headers=handler,
    )
    assert twice.status_code == 409
    no_etag = await police.patch(f"/links/{created.json()['id']}", json={"role": "suspect"}, headers=handler)
    assert no_etag.status_code == 428
    stale = await police.patch(f"/links/{created.json()['id']}", json={"role": "suspect"}, headers={**handler, "If-Match": '"v99"'})
    assert stale.status_code == 412
    changed = await police.patch(
        f"/links/{created.json()['id']}", json={"role": "suspect"}, headers={**handler, "If-Match": created.headers["ETag"]}
    )
    assert changed.status_code == 200 and changed.json()["role"] == "suspect"


async def test_a_child_an_officer_links_as_sharer_is_a_suspect_only_when_the_incident_is_aggravated(
    police: httpx.AsyncClient, submit, officer
) -> None:
    """P-CRIME with the 2024 recording: in a non-aggravated case a child who shared is a person involved."""
    scpo = officer("scpo")
    roles = {}
    for typology in ("aggravated_youth_intent_to_harm", "experimental_romantic"):
        receipt = await submit(report_payload([reported_person(["pictured"])], typology=typology))
        linked = await police.post(
            f"/incidents/{receipt['police_incident_id']}/links",
            json={"person": {"kind": "pupil", "given_name": random_name(), "family_name": random_name(),
                             "date_of_birth": "2011-02-03"}, "reported_roles": ["sharer"]},
            headers=scpo,
        )
        assert linked.status_code == 201, linked.text
        roles[typology] = linked.json()["role"]
    assert roles == {"aggravated_youth_intent_to_harm": "suspect", "experimental_romantic": "person_involved"}
