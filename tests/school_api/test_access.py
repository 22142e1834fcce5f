"""Who may do what (services/school_api/access.py POLICY) and what each role sees."""
from __future__ import annotations

import uuid

import httpx
import pytest

from services.school_api.access import POLICY, SchoolRole
from tests.school_api.workflow import AT, School
from tests.support import Tokens, app_documents, bearer

PUBLIC = {"problem_catalogue", "problem_type", "healthz", "readyz"}


def operations() -> list[tuple[str, str, str]]:
    document = app_documents()["school_api"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found.append((method.upper(), path, operation["operationId"]))
    return found


@pytest.mark.backend_independent
def test_every_school_route_has_a_policy_entry_and_every_entry_a_route() -> None:
    routed = {operation_id for _, _, operation_id in operations()} - PUBLIC
    assert routed == set(POLICY)


@pytest.mark.parametrize(("method", "path", "operation_id"), [op for op in operations() if op[2] not in PUBLIC])
async def test_roles_outside_the_policy_are_refused(
    school: httpx.AsyncClient, tokens: Tokens, urn: str, method: str, path: str, operation_id: str
) -> None:
    name = operation_id
    ids = {part: str(uuid.uuid4()) for part in ("incident_id", "person_id", "device_id", "referral_id", "record_id", "entry_id")}
    url = path.format_map(ids) if "{" in path else path
    for role in SchoolRole:
        if role in POLICY[name]:
            continue
        response = await school.request(method, url, json={} if method in {"POST", "PATCH", "PUT"} else None, headers=bearer(tokens.school(role, urn)))
        assert response.status_code == 403, (role, method, path, response.status_code)


async def test_staff_open_an_incident_and_then_see_only_its_reference_and_status(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    mine = await s.open(headers=s.staff, narrative="Told by a pupil at lunch.")
    assert set(mine) == {"id", "reference", "status"}
    own = await school.get(s.path(mine), headers=s.staff)
    assert own.status_code == 200 and set(own.json()) == {"id", "reference", "status"}
    added = await school.post(s.path(mine, "/observations"), json={"observed_at": AT, "text": "Phone was passed around."}, headers=s.staff)
    assert added.status_code == 201 and "text" not in added.json()
    theirs = await s.open()
    assert (await school.get(s.path(theirs), headers=s.staff)).status_code == 404
    assert (await school.get("/incidents", headers=s.staff)).status_code == 403
    assert (await school.get(s.path(mine, "/chronology"), headers=s.staff)).status_code == 403


async def test_mis_sees_summaries_never_narratives_or_assessments(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open(headers=s.mis, narrative="Sensitive narrative.", where_image_ended_up="A group chat")
    assert "narrative" not in incident and "where_image_ended_up" not in incident
    person = await school.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["pictured"], "upn": "B801200005001"}, headers=s.mis)
    assert person.status_code == 201 and set(person.json()) == {"id", "incident_id", "version"}
    read = (await school.get(s.path(incident), headers=s.mis)).json()
    assert "narrative" not in read and read["reference"] == incident["reference"]
    await s.inform_dsl_and_senior_management(incident)
    assert (await s.assess(incident)).status_code == 201
    for suffix in ("/assessments", "/people", "/chronology", "/decision"):
        assert (await school.get(s.path(incident, suffix), headers=s.mis)).status_code == 403
    listed = (await school.get("/incidents", headers=s.mis)).json()["items"]
    assert listed and all("narrative" not in item for item in listed)


async def test_headteacher_reads_everything_and_authorises_but_does_not_decide(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open(narrative="Full narrative.")
    assert (await school.get(s.path(incident), headers=s.head)).json()["narrative"] == "Full narrative."
    assert (await school.get(s.path(incident, "/chronology"), headers=s.head)).status_code == 200
    body = {"kind": "device_search", "reason": "To find out how far it spread."}
    assert (await school.post(s.path(incident, "/authorisations"), json=body, headers=s.head)).status_code == 201
    decided = await school.post(s.path(incident, "/decision"), json={"outcome": "refer_police"}, headers={**s.head, "If-Match": '"v1"'})
    assert decided.status_code == 403


async def test_incident_list_paginates_by_cursor_and_filters_by_status_and_date(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    opened = [await s.open(disclosed_at=f"2026-11-{day:02d}T09:00:00Z") for day in range(1, 8)]
    await s.inform_dsl_and_senior_management(opened[0])
    assert (await s.assess(opened[0])).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await school.get("/incidents", params=params, headers=s.dsl)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [incident["id"] for incident in reversed(opened)]
    assessed = (await school.get("/incidents", params={"status": "assessed"}, headers=s.dsl)).json()["items"]
    assert [item["id"] for item in assessed] == [opened[0]["id"]]
    window = (await school.get("/incidents", params={"disclosed_from": "2026-11-03T00:00:00Z", "disclosed_to": "2026-11-05T00:00:00Z"}, headers=s.dsl)).json()
    assert sorted(item["id"] for item in window["items"]) == sorted(incident["id"] for incident in opened[2:4])
    assert (await school.get("/incidents", params={"cursor": "not-a-cursor"}, headers=s.dsl)).status_code == 400
