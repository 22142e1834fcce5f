"""Issue 4, acceptance 3 (P-REPEAT) and 4 (NCRS compliance view, P-CRIME), over HTTP with the real database."""
from __future__ import annotations

from datetime import date, timedelta

import httpx

from tests.police_api.conftest import random_name, report_payload, reported_person


async def test_person_reported_a_third_time_for_the_same_offence_is_a_repeat_with_the_earlier_incidents_named(
    police: httpx.AsyncClient, submit, officer
) -> None:
    given, family, dob = random_name(), random_name(), date(2010, 9, 9)

    def sharer() -> dict:
        return reported_person(["sharer"], given_name=given, family_name=family, date_of_birth=dob)

    receipts = [await submit(report_payload([reported_person(["pictured"]), sharer()])) for _ in range(3)]
    scpo = officer("scpo")

    second = (await police.get(f"/incidents/{receipts[1]['police_incident_id']}/assessment", headers=scpo)).json()
    flagged = [r for r in second["repeats"] if r["link_role"] == "person_involved"]
    assert flagged and flagged[0]["is_repeat"] is False  # one earlier report only
    assert flagged[0]["earlier_references"] == [receipts[0]["police_reference"]]
    assert second["computed_route"] == "scpo"

    third = await police.get(f"/incidents/{receipts[2]['police_incident_id']}/assessment", headers=scpo)
    body = third.json()
    repeat = [r for r in body["repeats"] if r["is_repeat"]]
    assert len(repeat) == 1
    assert repeat[0]["earlier_references"] == [receipts[0]["police_reference"], receipts[1]["police_reference"]]
    assert body["repeat_flagged"] is True and body["computed_route"] == "cid"
    repeat_reason = next(r["reason"] for r in body["computed_reasons"] if r["rule"] == "P-REPEAT")
    assert receipts[0]["police_reference"] in repeat_reason and receipts[1]["police_reference"] in repeat_reason

    # Each case is still considered on its merits: a supervisor may override, with a written reason.
    no_reason = await police.post(
        f"/incidents/{receipts[2]['police_incident_id']}/route",
        json={"route": "scpo", "no_prosecution_reason": "Experimental; no public interest."},
        headers={**scpo, "If-Match": third.headers["ETag"]},
    )
    assert no_reason.status_code == 422 and {v["rule"] for v in no_reason.json()["violations"]} == {"P-ROUTE"}
    not_supervisor = await police.post(
        f"/incidents/{receipts[2]['police_incident_id']}/route-override",
        json={"route": "scpo", "reason": "Earlier reports were the same image.", "no_prosecution_reason": "Experimental."},
        headers={**scpo, "If-Match": third.headers["ETag"]},
    )
    assert not_supervisor.status_code == 403
    supervisor = officer("supervisor")
    overridden = await police.post(
        f"/incidents/{receipts[2]['police_incident_id']}/route-override",
        json={"route": "scpo", "reason": "Earlier reports concerned the same image.", "no_prosecution_reason": "Experimental; no public interest."},
        headers={**supervisor, "If-Match": third.headers["ETag"]},
    )
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["route"] == "scpo" and overridden.json()["route_override_reason"]
    audit = (await police.get("/audit", params={"record_id": receipts[2]["police_incident_id"], "limit": 200}, headers=supervisor)).json()["items"]
    assert "police_incident.route_override" in {entry["operation"] for entry in audit}


async def test_repeat_compares_offence_codes_once_crimes_are_recorded(police: httpx.AsyncClient, submit, officer) -> None:
    given, family, dob = random_name(), random_name(), date(2010, 4, 4)
    scpo = officer("scpo")
    receipts = []
    for code in ("86/10", "86/10", "86/2"):
        receipt = await submit(
            report_payload([reported_person(["pictured"]), reported_person(["possessor"], given_name=given, family_name=family, date_of_birth=dob)])
        )
        links = (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=scpo)).json()["items"]
        victim = next(link for link in links if link["role"] == "victim")
        crime = await police.post(
            f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": code}, headers=scpo
        )
        assert crime.status_code == 201, crime.text
        receipts.append(receipt)
    third = (await police.get(f"/incidents/{receipts[2]['police_incident_id']}/assessment", headers=scpo)).json()
    assert third["repeat_flagged"] is False  # two earlier occasions, but for possession (86/10), not 86/2


async def test_compliance_view_lists_a_late_crime_and_a_report_without_a_crime_decision_after_24_hours(
    police: httpx.AsyncClient, submit, officer, moved_clock
) -> None:
    late = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    undecided = await submit(report_payload([reported_person(["pictured"])]))
    decided = await submit(report_payload([reported_person(["pictured"])]))
    registrar, scpo = officer("crime_registrar"), officer("scpo")
    window = {"reported_from": late["received_at"], "limit": 200}
    late_crimes, undecided_incidents = "/compliance/crime-recording/late-crimes", "/compliance/crime-recording/undecided"

    before = (await police.get(undecided_incidents, params=window, headers=registrar)).json()["items"]
    pending = {item["incident_id"]: item for item in before}
    assert pending[undecided["police_incident_id"]]["overdue"] is False
    assert 0 < pending[undecided["police_incident_id"]]["time_left_seconds"] <= 24 * 3600

    decision_etag = (await police.get(f"/incidents/{decided['police_incident_id']}", headers=scpo)).headers["ETag"]
    short = await police.post(
        f"/incidents/{decided['police_incident_id']}/no-crime-decision", json={"reason": ""}, headers={**scpo, "If-Match": decision_etag}
    )
    assert short.status_code == 422  # a decision not to record a crime needs its reason
    no_crime = await police.post(
        f"/incidents/{decided['police_incident_id']}/no-crime-decision",
        json={"reason": "Image found to be of an adult; no offence involving a child."},
        headers={**scpo, "If-Match": decision_etag},
    )
    assert no_crime.status_code == 200 and no_crime.json()["crime_decision"] == "no_crime"

    moved_clock.advance(timedelta(hours=25))
    links = (await police.get(f"/incidents/{late['police_incident_id']}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    crime = await police.post(
        f"/incidents/{late['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201 and crime.json()["recorded_late"] is True
    undecided_incident = (await police.get(f"/incidents/{undecided['police_incident_id']}", headers=scpo)).json()
    assert undecided_incident["crime_time_left_seconds"] < 0

    view = await police.get(late_crimes, params=window, headers=registrar)
    assert view.status_code == 200, view.text
    late_ids = {item["crime_id"]: item for item in view.json()["items"]}
    assert crime.json()["id"] in late_ids and late_ids[crime.json()["id"]]["late_by_seconds"] >= 3600
    overdue = {item["incident_id"]: item for item in (await police.get(undecided_incidents, params=window, headers=registrar)).json()["items"]}
    assert overdue[undecided["police_incident_id"]]["overdue"] is True
    assert overdue[undecided["police_incident_id"]]["report_id"] == undecided["id"]
    assert decided["police_incident_id"] not in overdue and late["police_incident_id"] not in overdue

    assert (await police.get(late_crimes, headers=scpo)).status_code == 403
    assert (await police.get(undecided_incidents, headers=scpo)).status_code == 403

    # The registrar corrects the recording time, with a reason; the correction is kept beside the crime.
    corrected = await police.patch(
        f"/crimes/{crime.json()['id']}/recording",
        json={"recorded_at": late["received_at"], "reason": "Crime was recorded on paper on receipt; keyed late."},
        headers={**registrar, "If-Match": crime.headers["ETag"]},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["recorded_late"] is False
    assert corrected.json()["corrections"][0]["field"] == "recorded_at"
    after = (await police.get(late_crimes, params=window, headers=registrar)).json()["items"]
    assert crime.json()["id"] not in {item["crime_id"] for item in after}
