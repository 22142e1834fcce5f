"""Subject access at the police (DPA 2018 s.45; issue 14): the crime registrar exports everything the force
holds about one person of the nominal index as JSON, every incident that links them, without the other
people's identities (s.45(4)(e)), and the export is audited record by record."""
from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from services.police_api.database import AuditEntry
from shared.tenancy import ALL_TENANTS
from tests.conftest import FORCE
from tests.police_api.conftest import random_name, random_upn, report_payload, reported_person


async def test_the_registrar_exports_every_incident_of_a_person_and_no_other_persons_identity(
    police: httpx.AsyncClient, police_app: Any, submit: Any, officer: Any
) -> None:
    upn = random_upn()
    subject = reported_person(["pictured", "sender"], upn=upn)
    other = reported_person(["recipient"], given_name=random_name(), family_name=random_name())
    first_payload = report_payload([subject, other])
    first_payload["referral_reasons"] = f"{other['given_name']} {other['family_name']} shared the image further."
    first = await submit(first_payload)
    second = await submit(report_payload([{**subject, "school_person_id": reported_person(["pictured"])["school_person_id"]}]))
    scpo = officer("scpo")
    links = (await police.get(f"/incidents/{first['police_incident_id']}/links", headers=scpo)).json()["items"]
    subject_link = next(link for link in links if "pictured" in link["reported_roles"])
    person_id = subject_link["person_id"]
    crime = await police.post(
        f"/incidents/{first['police_incident_id']}/crimes", json={"victim_person_id": person_id, "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text

    response = await police.get(f"/persons/{person_id}/subject-access-export", headers=officer("crime_registrar"))
    assert response.status_code == 200, response.text
    exported = response.json()

    assert exported["person"]["id"] == person_id and exported["person"]["upn"] == upn
    assert [file["id"] for file in exported["incidents"]] == [first["police_incident_id"], second["police_incident_id"]]
    one = exported["incidents"][0]
    assert one["link"]["id"] == subject_link["id"]
    assert [(other_link["role"], other_link["age_status"]) for other_link in one["others_involved"]] == [
        (next(link for link in links if link["id"] != subject_link["id"])["role"], "child")
    ]
    assert [(c["id"], c["named_as"], c["offence_code"]) for c in one["crimes"]] == [(crime.json()["id"], "victim", "86/2")]
    assert one["reported_as"][0]["person"]["given_name"] == subject["given_name"]
    assert one["reported_as"][0]["referral_reasons"] == "[another person] [another person] shared the image further."
    assert len(one["ppu_notifications"]) == 1
    for withheld in (other["given_name"], other["family_name"], other["school_person_id"]):
        assert withheld not in response.text

    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        audited = set((await session.execute(
            select(AuditEntry.operation, AuditEntry.record_type, AuditEntry.record_id).where(
                AuditEntry.tenant == FORCE, AuditEntry.request_id == response.headers["X-Request-ID"]
            )
        )).all())
    assert {
        ("subject_access.export", "person", person_id),
        ("subject_access.export", "police_incident", first["police_incident_id"]),
        ("subject_access.export", "police_incident", second["police_incident_id"]),
        ("subject_access.export", "crime", crime.json()["id"]),
        ("subject_access.export", "ppu_notification", one["ppu_notifications"][0]["id"]),
    } <= audited


async def test_only_the_crime_registrar_answers_a_subject_access_request(police: httpx.AsyncClient, submit: Any, officer: Any) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    person_id = (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=officer("scpo"))).json()["items"][0]["person_id"]
    for role in ("supervisor", "scpo", "cid", "ppu", "call_handler"):
        assert (await police.get(f"/persons/{person_id}/subject-access-export", headers=officer(role))).status_code == 403
