"""Every read and write of a safeguarding record is audited: who, which role, what, when. Over HTTP with
the real database: each record a response shows, nested ones included, and each row a write changes
leaves its own audit row in that request."""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select

from shared.tenancy import ALL_TENANTS
from tests.police_api.conftest import Submit, random_name, random_upn, report_payload, reported_person

Audited = Callable[[httpx.Response], Awaitable[set[tuple[str, str, str]]]]


@pytest.fixture
def audited(police_app: object) -> Audited:
    """(operation, record type, record id) of every row the request that gave this answer left; a list page's
    one row gives one for each record it names."""

    async def _audited(answer: httpx.Response) -> set[tuple[str, str, str]]:
        runtime = police_app.state.runtime  # type: ignore[attr-defined]
        entry = runtime.audit_model
        async with runtime.session(ALL_TENANTS) as session:
            rows = (await session.scalars(select(entry).where(entry.request_id == answer.headers["x-request-id"]))).all()
        return {
            triple
            for row in rows
            for triple in (
                [(row.operation, row.record_type, row.record_id)] if row.record_ids is None
                else [(row.operation, kind, record_id) for kind, record_id in zip(row.record_types, row.record_ids, strict=True)]
            )
        }

    return _audited


def ids_of(rows: set[tuple[str, str, str]], operation: str, record_type: str | None = None) -> set[str]:
    return {record_id for op, kind, record_id in rows if op == operation and record_type in (None, kind)}


async def links_of(police: httpx.AsyncClient, headers: dict[str, str], incident_id: str) -> list[dict]:
    return (await police.get(f"/incidents/{incident_id}/links", headers=headers)).json()["items"]


async def test_reading_a_person_audits_every_link_and_incident_in_their_history(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    given, family = random_name(), random_name()
    receipts = [
        await submit(report_payload([reported_person(["sender"], given_name=given, family_name=family, date_of_birth=date(2010, 2, 2))]))
        for _ in range(2)
    ]
    scpo = officer("scpo")
    links = [(await links_of(police, scpo, receipt["police_incident_id"]))[0] for receipt in receipts]
    assert links[0]["person_id"] == links[1]["person_id"]

    answer = await police.get(f"/persons/{links[0]['person_id']}", headers=officer("call_handler"))
    assert answer.status_code == 200 and len(answer.json()["history"]) == 2
    rows = await audited(answer)
    assert ids_of(rows, "person_link.read") == {link["id"] for link in links}
    assert ids_of(rows, "police_incident.read") == {receipt["police_incident_id"] for receipt in receipts}


async def test_listing_an_incidents_links_audits_every_person_shown_with_them(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    answer = await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=officer("scpo"))
    assert answer.status_code == 200
    rows = await audited(answer)
    assert ids_of(rows, "person_link.list", "person") == {link["person"]["id"] for link in answer.json()["items"]}
    assert ids_of(rows, "person_link.list", "person_link") == {link["id"] for link in answer.json()["items"]}


async def test_ppu_updates_are_audited_wherever_a_notification_shows_them(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    incident_id = receipt["police_incident_id"]
    ppu = officer("ppu")
    notification = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=ppu)).json()["items"][0]
    update = await police.post(
        f"/ppu/notifications/{notification['id']}/updates", json={"source": "social_care", "text": "Strategy discussion held."}, headers=ppu
    )
    assert update.status_code == 201, update.text

    shown = await police.get(f"/ppu/notifications/{notification['id']}", headers=ppu)
    listed = await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=ppu)
    acknowledged = await police.post(
        f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": shown.headers["ETag"]}
    )
    for answer, operation in ((shown, "ppu_update.read"), (listed, "ppu_notification.list"), (acknowledged, "ppu_update.read")):
        assert answer.status_code == 200, answer.text
        assert (operation, "ppu_update", update.json()["id"]) in await audited(answer)


async def test_merging_audits_every_moved_link_crime_subject_notification_and_education_record(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    kept_receipt = await submit(report_payload([reported_person(["pictured"], date_of_birth=date(2010, 3, 3))]))
    duplicate = reported_person(["sharer"], date_of_birth=date(2010, 3, 3))
    # The duplicate record shares an image on one incident (a crime subject, with education) and is pictured on another.
    as_suspect = await submit(report_payload([reported_person(["pictured"]), duplicate]))
    as_victim = await submit(report_payload([{**duplicate, "roles": ["pictured"], "school_person_id": str(uuid.uuid4())}]))
    scpo, supervisor = officer("scpo"), officer("supervisor")
    kept_id = (await links_of(police, scpo, kept_receipt["police_incident_id"]))[0]["person_id"]
    suspect_links = {link["reported_roles"][0]: link for link in await links_of(police, scpo, as_suspect["police_incident_id"])}
    victim_link = (await links_of(police, scpo, as_victim["police_incident_id"]))[0]
    duplicate_id = suspect_links["sharer"]["person_id"]
    assert victim_link["person_id"] == duplicate_id != kept_id

    crime_on_subject = await police.post(
        f"/incidents/{as_suspect['police_incident_id']}/crimes",
        json={"victim_person_id": suspect_links["pictured"]["person_id"], "offence_code": "86/2"}, headers=scpo,
    )
    crime_on_victim = await police.post(
        f"/incidents/{as_victim['police_incident_id']}/crimes", json={"victim_person_id": duplicate_id, "offence_code": "86/2"}, headers=scpo,
    )
    assessment = await police.get(f"/incidents/{as_suspect['police_incident_id']}/assessment", headers=scpo)
    routed = await police.post(
        f"/incidents/{as_suspect['police_incident_id']}/route",
        json={"route": "scpo", "no_prosecution_reason": "Experimental; no aggravating features."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    education = await police.post(
        f"/incidents/{as_suspect['police_incident_id']}/education",
        json={"kind": "offender_input", "delivered_on": "2026-12-02", "person_id": duplicate_id, "description": "Law and consent."},
        headers=scpo,
    )
    for answer in (crime_on_subject, crime_on_victim, routed, education):
        assert answer.status_code in (200, 201), answer.text
    notifications = {
        notification["id"]
        for receipt in (as_suspect, as_victim)
        for notification in (await police.get(f"/incidents/{receipt['police_incident_id']}/ppu-notifications", headers=scpo)).json()["items"]
        if notification["person_id"] == duplicate_id
    }
    assert len(notifications) == 2

    kept = await police.get(f"/persons/{kept_id}", headers=supervisor)
    merged = await police.post(
        f"/persons/{kept_id}/merge", json={"duplicate_person_id": duplicate_id, "reason": "Same child, two school records."},
        headers={**supervisor, "If-Match": kept.headers["ETag"]},
    )
    assert merged.status_code == 200, merged.text
    rows = await audited(merged)
    assert ids_of(rows, "person_link.update") == {suspect_links["sharer"]["id"], victim_link["id"]}
    assert ids_of(rows, "crime.update") == {crime_on_victim.json()["id"]}
    assert ids_of(rows, "ppu_notification.update") == notifications
    assert ids_of(rows, "education_record.update") == {education.json()["id"]}
    # Crime subjects have no id in the API: the row moved is the one the crime shows afterwards.
    moved_subjects = ids_of(rows, "crime_subject.update")
    shown = await police.get(f"/crimes/{crime_on_subject.json()['id']}", headers=supervisor)
    assert shown.json()["subject_person_ids"] == [kept_id]
    assert len(moved_subjects) == 1 and moved_subjects == ids_of(await audited(shown), "crime_subject.read")
    # The kept person's history, as the merge answers with it, is audited like any read of it.
    history = {item["incident_id"] for item in merged.json()["history"]}
    assert history == {kept_receipt["police_incident_id"], as_suspect["police_incident_id"], as_victim["police_incident_id"]}
    assert ids_of(rows, "police_incident.read") == history


async def three_reports_of_one_sharer(submit: Submit) -> list[dict]:
    """Three reports naming the same child as sharer: at the third they are a repeat (P-REPEAT)."""
    given, family = random_name(), random_name()
    return [
        await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"], given_name=given, family_name=family)]))
        for _ in range(3)
    ]


async def test_an_assessment_audits_each_suspects_link_and_the_earlier_incidents_it_names(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipts = await three_reports_of_one_sharer(submit)
    scpo = officer("scpo")
    sharer = next(link for link in await links_of(police, scpo, receipts[2]["police_incident_id"]) if link["reported_roles"] == ["sharer"])

    answer = await police.get(f"/incidents/{receipts[2]['police_incident_id']}/assessment", headers=scpo)
    assert answer.json()["repeat_flagged"] is True
    rows = await audited(answer)
    assert ids_of(rows, "person_link.read") == {sharer["id"]}  # the suspect shown, not the victim
    assert ids_of(rows, "police_incident.read") == {receipt["police_incident_id"] for receipt in receipts}
    assert ids_of(rows, "police_incident.repeat_check") == {receipts[0]["police_incident_id"], receipts[1]["police_incident_id"]}


async def test_cid_is_told_a_suspect_is_a_repeat_but_not_the_references_of_incidents_not_routed_to_cid(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipts = await three_reports_of_one_sharer(submit)
    first, second, third = (receipt["police_incident_id"] for receipt in receipts)
    scpo, cid, supervisor = officer("scpo"), officer("cid"), officer("supervisor")
    assessment = await police.get(f"/incidents/{third}/assessment", headers=scpo)
    routed = await police.post(f"/incidents/{third}/route", json={"route": "cid"}, headers={**scpo, "If-Match": assessment.headers["ETag"]})
    assert routed.status_code == 200, routed.text

    for_cid = await police.get(f"/incidents/{third}/assessment", headers=cid)
    body = for_cid.json()
    assert body["repeat_flagged"] is True and body["computed_route"] == "cid"  # the check still counts every incident
    assert [r["earlier_references"] for r in body["repeats"] if r["is_repeat"]] == [[]]
    reason = next(r["reason"] for r in body["computed_reasons"] if r["rule"] == "P-REPEAT")
    assert "2 outside your role's view" in reason and receipts[0]["police_reference"] not in reason
    rows = await audited(for_cid)
    assert ids_of(rows, "police_incident.read") == {third}  # the incident itself, no other
    assert ids_of(rows, "police_incident.repeat_check") == {first, second}  # yet both were consulted

    # Once an earlier incident is routed to CID, CID sees it named.
    earlier = await police.get(f"/incidents/{first}/assessment", headers=supervisor)
    overridden = await police.post(
        f"/incidents/{first}/route-override", json={"route": "cid", "reason": "Investigated with the later reports."},
        headers={**supervisor, "If-Match": earlier.headers["ETag"]},
    )
    assert overridden.status_code == 200, overridden.text
    for_cid = await police.get(f"/incidents/{third}/assessment", headers=cid)
    repeat = next(r for r in for_cid.json()["repeats"] if r["is_repeat"])
    assert repeat["earlier_references"] == [receipts[0]["police_reference"]] and repeat["earlier_incident_ids"] == [first]
    reason = next(r["reason"] for r in for_cid.json()["computed_reasons"] if r["rule"] == "P-REPEAT")
    assert receipts[0]["police_reference"] in reason and "1 outside your role's view" in reason
    assert ids_of(await audited(for_cid), "police_incident.read") == {third, first}

    for_supervisor = (await police.get(f"/incidents/{third}/assessment", headers=supervisor)).json()
    repeat = next(r for r in for_supervisor["repeats"] if r["is_repeat"])
    assert repeat["earlier_incident_ids"] == [first, second]


async def test_a_crime_audits_its_subjects_corrections_and_victim_contacts_and_each_correction_made(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo, registrar = officer("scpo"), officer("crime_registrar")
    victim = next(link for link in await links_of(police, scpo, receipt["police_incident_id"]) if link["role"] == "victim")
    crime = await police.post(
        f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    contact = await police.post(
        f"/crimes/{crime.json()['id']}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": receipt["received_at"], "method": "telephone", "note": "Mother informed."},
        headers=scpo,
    )
    assert contact.status_code == 201, contact.text
    corrected = await police.patch(
        f"/crimes/{crime.json()['id']}/recording",
        json={"offence_code": "86/10", "recorded_at": receipt["received_at"], "reason": "Keyed against the wrong offence and late."},
        headers={**registrar, "If-Match": crime.headers["ETag"]},
    )
    assert corrected.status_code == 200, corrected.text
    created = ids_of(await audited(corrected), "crime_correction.create")
    assert len(created) == len(corrected.json()["corrections"]) == 2

    for answer, as_read in (
        (await police.get(f"/crimes/{crime.json()['id']}", headers=registrar), lambda kind: f"{kind}.read"),
        (await police.get(f"/incidents/{receipt['police_incident_id']}/crimes", headers=registrar), lambda kind: "crime.list"),
    ):
        assert answer.status_code == 200, answer.text
        rows = await audited(answer)
        assert ids_of(rows, as_read("crime_correction"), "crime_correction") == created
        assert ids_of(rows, as_read("victim_contact"), "victim_contact") == {contact.json()["id"]}
        assert len(ids_of(rows, as_read("crime_subject"), "crime_subject")) == 1


async def test_the_schools_status_view_audits_the_incident_and_every_crime_it_reports_on(
    police: httpx.AsyncClient, submit, officer, audited: Audited, school_client_headers
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo = officer("scpo")
    crimes = set()
    for link in await links_of(police, scpo, receipt["police_incident_id"]):
        if link["role"] == "victim":
            crime = await police.post(
                f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": link["person_id"], "offence_code": "86/2"}, headers=scpo
            )
            crimes.add(crime.json()["id"])
    assert len(crimes) == 2

    status = await police.get(f"/reports/{receipt['id']}/status", headers=school_client_headers)
    assert status.status_code == 200 and status.json()["crimes_recorded"] == 2
    rows = await audited(status)
    assert ids_of(rows, "police_incident.status") == {receipt["police_incident_id"]}
    assert ids_of(rows, "crime.status") == crimes


async def test_officers_views_of_reports_audit_the_incident_each_one_names(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    handler = officer("call_handler")
    listed = await police.get("/reports", params={"untriaged": "true", "limit": 200}, headers=handler)
    assert (receipt["id"], receipt["police_incident_id"]) in {(item["id"], item["police_incident_id"]) for item in listed.json()["items"]}
    assert ids_of(await audited(listed), "school_report.list", "police_incident") == {item["police_incident_id"] for item in listed.json()["items"]}

    shown = await police.get(f"/reports/{receipt['id']}", headers=handler)
    triaged = await police.post(
        f"/reports/{receipt['id']}/triage", json={"priority": "priority"}, headers={**handler, "If-Match": shown.headers["ETag"]}
    )
    for answer in (shown, triaged):
        assert answer.status_code == 200, answer.text
        assert ("police_incident.read", "police_incident", receipt["police_incident_id"]) in await audited(answer)


async def test_finding_a_person_again_audits_an_update_only_when_their_record_is_filled_in(
    police: httpx.AsyncClient, school_client_headers, officer, audited: Audited
) -> None:
    given, family, upn = random_name(), random_name(), random_upn()

    async def report(*people: dict) -> httpx.Response:
        answer = await police.post(
            "/reports", json=report_payload(list(people)), headers={**school_client_headers, "Idempotency-Key": uuid.uuid4().hex}
        )
        assert answer.status_code == 201, answer.text
        return answer

    first = await report(reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 6, 6)))
    person_id = (await links_of(police, officer("scpo"), first.json()["police_incident_id"]))[0]["person_id"]
    with_upn = await report(reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 6, 6), upn=upn))
    again = await report(reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 6, 6), upn=upn))

    assert {("person.match", "person", person_id), ("person.update", "person", person_id)} <= await audited(with_upn)
    rows = await audited(again)
    assert ("person.match", "person", person_id) in rows and not ids_of(rows, "person.update")


async def test_a_person_reported_twice_in_one_report_has_their_link_update_audited(
    police: httpx.AsyncClient, submit, school_client_headers, officer, audited: Audited
) -> None:
    given, family = random_name(), random_name()
    twice = [
        reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 7, 7)),
        reported_person(["sharer"], given_name=given, family_name=family, date_of_birth=date(2011, 7, 7)),
    ]
    answer = await police.post("/reports", json=report_payload(twice), headers={**school_client_headers, "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    links = await links_of(police, officer("scpo"), answer.json()["police_incident_id"])
    assert len(links) == 1 and links[0]["reported_roles"] == ["pictured", "sharer"]
    rows = await audited(answer)
    assert ids_of(rows, "person_link.create") == ids_of(rows, "person_link.update") == {links[0]["id"]}


async def test_the_compliance_view_audits_the_incident_of_each_late_crime_and_the_report_of_each_undecided_incident(
    police: httpx.AsyncClient, submit, officer, moved_clock, audited: Audited
) -> None:
    late = await submit(report_payload([reported_person(["pictured"])]))
    undecided = await submit(report_payload([reported_person(["pictured"])]))
    registrar, scpo = officer("crime_registrar"), officer("scpo")
    moved_clock.advance(timedelta(hours=25))
    victim = (await links_of(police, scpo, late["police_incident_id"]))[0]
    crime = await police.post(
        f"/incidents/{late['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201 and crime.json()["recorded_late"] is True

    window = {"reported_from": late["received_at"], "limit": 200}
    late_view = await police.get("/compliance/crime-recording/late-crimes", params=window, headers=registrar)
    undecided_view = await police.get("/compliance/crime-recording/undecided", params=window, headers=registrar)
    assert late_view.status_code == 200, late_view.text
    assert undecided_view.status_code == 200, undecided_view.text
    rows = await audited(late_view)
    for item in late_view.json()["items"]:
        assert {("compliance.late_crime", "crime", item["crime_id"]), ("compliance.late_crime", "police_incident", item["incident_id"])} <= rows
    assert ("compliance.late_crime", "police_incident", late["police_incident_id"]) in rows
    rows = await audited(undecided_view)
    for item in undecided_view.json()["items"]:
        assert ("compliance.undecided", "police_incident", item["incident_id"]) in rows
        if item["report_id"] is not None:
            assert ("compliance.undecided", "school_report", item["report_id"]) in rows
    assert ("compliance.undecided", "school_report", undecided["id"]) in rows


async def test_recording_a_crime_audits_the_links_its_rules_were_checked_against(
    police: httpx.AsyncClient, submit, officer, audited: Audited
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo = officer("scpo")
    links = await links_of(police, scpo, receipt["police_incident_id"])
    victim = next(link for link in links if link["role"] == "victim")
    crime = await police.post(
        f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    assert ids_of(await audited(crime), "person_link.read") == {link["id"] for link in links}
