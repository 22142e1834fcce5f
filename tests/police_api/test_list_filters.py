"""Issue 12 and 16: an officer finds a report by either reference, the PPU a pupil's notifications by UPN,
and an overseer browses the audit trail by operation and time, not only by record."""
from __future__ import annotations

from datetime import timedelta

import httpx

from tests.police_api.conftest import random_upn, report_payload, reported_person


async def test_reports_are_found_by_the_schools_reference_or_the_police_reference_alone(
    police: httpx.AsyncClient, submit, officer
) -> None:
    first = await submit(report_payload([reported_person(["pictured"])]))
    second = await submit(report_payload([reported_person(["pictured"])]))
    handler = officer("call_handler")
    shown = (await police.get(f"/reports/{first['id']}", headers=handler)).json()

    by_school = (await police.get("/reports", params={"school_reference": shown["school_incident_reference"]}, headers=handler)).json()
    assert [item["id"] for item in by_school["items"]] == [first["id"]] and by_school["next_cursor"] is None
    by_police = (await police.get("/reports", params={"police_reference": second["police_reference"]}, headers=handler)).json()
    assert [item["id"] for item in by_police["items"]] == [second["id"]]
    window = {"school_urn": shown["school_urn"], "received_from": first["received_at"], "limit": 200}
    both = [item["id"] for item in (await police.get("/reports", params=window, headers=handler)).json()["items"]]
    assert both.index(second["id"]) < both.index(first["id"])  # newest first
    before = {"school_urn": shown["school_urn"], "received_to": first["received_at"]}
    assert first["id"] not in {item["id"] for item in (await police.get("/reports", params=before, headers=handler)).json()["items"]}


async def test_the_ppu_finds_a_pupils_notifications_by_upn(police: httpx.AsyncClient, submit, officer) -> None:
    upn = random_upn()
    receipt = await submit(report_payload([reported_person(["pictured"], upn=upn), reported_person(["recipient"])]))
    listed = (await police.get("/ppu/notifications", params={"upn": upn}, headers=officer("ppu"))).json()["items"]
    assert [item["incident_id"] for item in listed] == [receipt["police_incident_id"]]
    by_reference = (await police.get("/ppu/notifications", params={"police_reference": receipt["police_reference"]}, headers=officer("ppu"))).json()
    assert len(by_reference["items"]) == 2 and {item["incident_id"] for item in by_reference["items"]} == {receipt["police_incident_id"]}


async def test_the_audit_trail_is_browsed_by_operation_and_time_window(police: httpx.AsyncClient, submit, officer, moved_clock) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    supervisor = officer("supervisor")
    created = (await police.get("/audit", params={"record_id": receipt["police_incident_id"], "limit": 1}, headers=supervisor)).json()
    since = created["items"][0]["occurred_at"]
    moved_clock.advance(timedelta(minutes=5))
    await police.get(f"/incidents/{receipt['police_incident_id']}", headers=supervisor)
    later = (moved_clock.now() - timedelta(minutes=1)).isoformat()
    reads = (await police.get("/audit", params={"operation": "police_incident.read", "occurred_from": later, "limit": 200}, headers=supervisor)).json()
    assert reads["items"] and all(row["operation"] == "police_incident.read" and row["occurred_at"] >= later for row in reads["items"])
    assert receipt["police_incident_id"] in {row["record_id"] for row in reads["items"]}
    early = (await police.get("/audit", params={"occurred_from": since, "occurred_to": later, "record_id": receipt["police_incident_id"]}, headers=supervisor)).json()
    assert early["items"] and "police_incident.read" not in {row["operation"] for row in early["items"]}
