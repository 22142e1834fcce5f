"""A page of a list is one audit row (issue 15): the row names every record the page showed, in order, and
the audit search by record id finds a record that was only ever seen in a list. Over HTTP, real database."""
from __future__ import annotations

import httpx
from sqlalchemy import select

from shared.audit import verify_chain
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import Tokens, bearer


async def rows_of(school_app: object, answer: httpx.Response) -> list:
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    entry = runtime.audit_model
    async with runtime.session(ALL_TENANTS) as session:
        query = select(entry).where(entry.request_id == answer.headers["x-request-id"]).order_by(entry.seq)
        return list((await session.scalars(query)).all())


async def test_a_page_of_incidents_writes_one_row_naming_each_incident_in_the_order_shown(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    for _ in range(4):
        await s.open()
    answer = await school.get("/incidents", params={"limit": 3}, headers=s.dsl)
    assert answer.status_code == 200
    shown = [item["id"] for item in answer.json()["items"]]
    assert len(shown) == 3
    (row,) = await rows_of(school_app, answer)
    assert (row.operation, row.record_type, row.record_id, row.role) == ("incident.list", "incident", None, "dsl")
    assert row.record_ids == shown and row.record_types == ["incident"] * 3


async def test_a_page_of_an_incidents_devices_names_the_incident_and_each_device_with_its_custody_steps(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    devices = [await s.add_device(incident) for _ in range(2)]
    await s.custody_step(incident, await s.custody_step(incident, devices[0], "confiscated"), "switched_off")
    answer = await school.get(s.path(incident, "/devices"), headers=s.dsl)
    assert answer.status_code == 200
    items = answer.json()["items"]
    (row,) = await rows_of(school_app, answer)
    assert (row.operation, row.record_type, row.record_id) == ("device.list", "incident", incident["id"])
    expected = [(kind, record["id"]) for item in items for kind, record in [("device", item), *(("custody_event", c) for c in item["custody"])]]
    assert list(zip(row.record_types, row.record_ids, strict=True)) == expected
    assert len(expected) == 4


async def test_an_empty_page_is_still_one_row_with_no_ids(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    answer = await school.get(s.path(incident, "/searches"), headers=s.dsl)
    assert answer.status_code == 200 and answer.json()["items"] == []
    (row,) = await rows_of(school_app, answer)
    assert (row.operation, row.record_id, row.record_ids, row.record_types) == ("device_search.list", incident["id"], [], [])


async def test_the_audit_search_by_record_id_finds_who_saw_it_in_a_list(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    person = await s.add_person(incident)
    listed = await school.get(s.path(incident, "/people"), headers=bearer(tokens.school("headteacher", urn)))
    assert [item["id"] for item in listed.json()["items"]] == [person["id"]]
    found = await school.get("/audit", params={"record_id": person["id"]}, headers=s.dsl)
    assert found.status_code == 200, found.text
    by_operation = {(row["operation"], row["role"]): row for row in found.json()["items"]}
    assert ("person.create", "dsl") in by_operation
    seen = by_operation[("person.list", "headteacher")]
    assert seen["request_id"] == listed.headers["x-request-id"]
    assert seen["record_ids"] == [person["id"]] and seen["record_types"] == ["person"] and seen["record_id"] == incident["id"]
    # The incident the list belongs to is found by its own id too.
    of_incident = await school.get("/audit", params={"record_id": incident["id"], "operation": "person.list"}, headers=s.dsl)
    assert [row["request_id"] for row in of_incident.json()["items"]] == [listed.headers["x-request-id"]]


async def test_the_chain_of_list_rows_verifies(school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    await s.open()
    assert (await school.get("/incidents", headers=s.dsl)).status_code == 200
    runtime = school_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(ALL_TENANTS) as session:
        report = await verify_chain(session, runtime.audit_model)
    assert report.intact, (report.first_broken_seq, report.problem)
