"""The incident list found by its reference, and the observations staff add read back by the safeguarding
team (issue 13: what the console needs of the API, through HTTP on the real database)."""
from __future__ import annotations

import httpx
from sqlalchemy import select

from services.school_api.database import AuditEntry
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import AT, School
from tests.support import Tokens, fresh_urn


async def test_the_incident_list_finds_an_incident_by_its_exact_reference_in_the_callers_school_only(
    school: httpx.AsyncClient, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    wanted = await s.open()
    await s.open()
    found = await school.get("/incidents", params={"reference": wanted["reference"]}, headers=s.dsl)
    assert found.status_code == 200
    body = found.json()
    assert set(body) == {"items", "next_cursor"} and body["next_cursor"] is None
    assert [row["id"] for row in body["items"]] == [wanted["id"]]

    # Exact, not a search of part of it: the school's year prefix alone matches nothing.
    prefix = wanted["reference"].rsplit("-", 1)[0]
    assert (await school.get("/incidents", params={"reference": prefix}, headers=s.dsl)).json() == {"items": [], "next_cursor": None}
    # Another school's DSL asking for this school's reference finds nothing.
    other = School(school, tokens, fresh_urn())
    assert (await school.get("/incidents", params={"reference": wanted["reference"]}, headers=other.dsl)).json()["items"] == []
    # It narrows the other filters rather than replacing them.
    closed_only = await school.get("/incidents", params={"reference": wanted["reference"], "status": "closed"}, headers=s.dsl)
    assert closed_only.json()["items"] == []


async def test_a_reference_longer_than_any_the_school_issues_is_refused(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    refused = await school.get("/incidents", params={"reference": "1" * 21}, headers=s.dsl)
    assert refused.status_code == 422


async def test_staff_add_observations_that_the_safeguarding_team_read_back_page_by_page(
    school: httpx.AsyncClient, school_app: object, tokens: Tokens, urn: str
) -> None:
    s = School(school, tokens, urn)
    incident = await s.open(headers=s.staff)
    for text in ("Phone passed round at lunch.", "Heard two pupils talk about a group chat."):
        added = await school.post(s.path(incident, "/observations"), json={"observed_at": AT, "text": text}, headers=s.staff)
        assert added.status_code == 201
    assert (await school.get(s.path(incident, "/observations"), headers=s.staff)).status_code == 403

    first = (await school.get(s.path(incident, "/observations"), params={"limit": 1}, headers=s.head)).json()
    second = (await school.get(s.path(incident, "/observations"), params={"limit": 1, "cursor": first["next_cursor"]}, headers=s.dsl)).json()
    assert [row["text"] for row in first["items"] + second["items"]] == ["Phone passed round at lunch.", "Heard two pupils talk about a group chat."]
    assert second["next_cursor"] is None
    assert first["items"][0]["recorded_by_role"] == "staff"

    async with school_app.state.runtime.session(ALL_TENANTS) as session:  # type: ignore[attr-defined]
        reads = (await session.scalars(
            select(AuditEntry).where(AuditEntry.operation == "observation.list", AuditEntry.tenant == urn).order_by(AuditEntry.seq)
        )).all()
    # One row a page, naming the observation it showed and the incident it belongs to.
    assert [(row.role, row.record_id, row.record_ids) for row in reads] == [
        ("headteacher", incident["id"], [first["items"][0]["id"]]),
        ("dsl", incident["id"], [second["items"][0]["id"]]),
    ]


async def test_another_schools_incident_has_no_observations_to_read(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    other = School(school, tokens, fresh_urn())
    assert (await school.get(s.path(incident, "/observations"), headers=other.dsl)).status_code == 404
