"""A page of a police list is one audit row (issue 15) naming every record it showed, in order; the audit
search by record id finds the officer who saw a report in a list. Over HTTP, real database."""
from __future__ import annotations

import httpx
from sqlalchemy import select

from shared.tenancy import ALL_TENANTS
from tests.police_api.conftest import report_payload, reported_person


async def rows_of(police_app: object, answer: httpx.Response) -> list:
    runtime = police_app.state.runtime  # type: ignore[attr-defined]
    entry = runtime.audit_model
    async with runtime.session(ALL_TENANTS) as session:
        query = select(entry).where(entry.request_id == answer.headers["x-request-id"]).order_by(entry.seq)
        return list((await session.scalars(query)).all())


async def test_a_page_of_reports_is_one_row_naming_each_report_beside_its_incident(
    police: httpx.AsyncClient, police_app: object, submit, officer
) -> None:
    for _ in range(3):
        await submit(report_payload([reported_person(["pictured"])]))
    answer = await police.get("/reports", params={"limit": 3}, headers=officer("supervisor"))
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == 3
    (row,) = await rows_of(police_app, answer)
    assert (row.operation, row.record_type, row.record_id, row.role) == ("school_report.list", "school_report", None, "supervisor")
    assert list(zip(row.record_types, row.record_ids, strict=True)) == [
        pair for item in items for pair in (("school_report", item["id"]), ("police_incident", item["police_incident_id"]))
    ]


async def test_the_audit_search_finds_the_officer_who_saw_a_report_only_in_a_list(
    police: httpx.AsyncClient, police_app: object, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    listed = await police.get("/reports", params={"police_reference": receipt["police_reference"]}, headers=officer("call_handler"))
    assert [item["id"] for item in listed.json()["items"]] == [receipt["id"]]
    for record_id in (receipt["id"], receipt["police_incident_id"]):
        found = await police.get("/audit", params={"record_id": record_id, "operation": "school_report.list"}, headers=officer("supervisor"))
        assert found.status_code == 200, found.text
        assert [(row["role"], row["request_id"]) for row in found.json()["items"]] == [("call_handler", listed.headers["x-request-id"])]


async def test_a_page_of_an_incidents_links_is_one_row_naming_the_incident_and_each_link_with_its_person(
    police: httpx.AsyncClient, police_app: object, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    answer = await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=officer("scpo"))
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == 2
    (row,) = await rows_of(police_app, answer)
    assert (row.operation, row.record_type, row.record_id) == ("person_link.list", "police_incident", receipt["police_incident_id"])
    assert list(zip(row.record_types, row.record_ids, strict=True)) == [
        pair for item in items for pair in (("person_link", item["id"]), ("person", item["person"]["id"]))
    ]
