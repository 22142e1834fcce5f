"""Every read and write of a record is audited: a person's trail shows who added, read and was refused it."""
from __future__ import annotations

import httpx

from tests.school_api.workflow import School
from tests.support import Tokens


async def test_person_trail_shows_creation_reads_by_chronology_and_the_headteacher(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    person = await s.add_person(incident)
    assert (await school.get(s.path(incident, f"/people/{person['id']}"), headers=s.head)).status_code == 200
    assert (await school.get(s.path(incident, "/chronology"), headers=s.dsl)).status_code == 200
    trail = (await school.get("/audit", params={"record_id": person["id"]}, headers=s.dsl)).json()
    operations = [(entry["operation"], entry["role"]) for entry in trail]
    assert operations[0] == ("person.create", "dsl")
    assert ("person.read", "headteacher") in operations and ("person.read", "dsl") in operations


async def test_image_viewing_refused_by_s_image_is_audited_on_the_incident(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    s = School(school, tokens, urn)
    incident = await s.open()
    viewing = await school.post(s.path(incident, "/image-viewings"), json={"viewed_at": "2026-11-27T09:00:00Z"}, headers=s.head)
    assert viewing.status_code == 422
    trail = (await school.get("/audit", params={"record_id": incident["id"]}, headers=s.dsl)).json()
    refused = [entry for entry in trail if entry["outcome"] == "refused"]
    assert any(entry["problem_type"].endswith("/rule-violation") and entry["role"] == "headteacher" for entry in refused)
