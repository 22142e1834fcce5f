"""Subject access (UK GDPR Art. 15; issue 14): the DSL exports everything the school holds about one
person as JSON, from every incident that names them, without disclosing the other children (Art. 15(4)),
and the export is audited record by record."""
from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.school_api.database import AuditEntry
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import Tokens

SUBJECT = {"given_name": "Ada", "family_name": "Lovelock", "upn": "B801200005001", "date_of_birth": "2011-09-01", "age_years": None}
OTHER = {"given_name": "Jordan", "family_name": "Okafor", "roles": ["recipient"], "date_of_birth": "2011-02-03", "age_years": None}


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


def export_path(incident: dict[str, Any], person: dict[str, Any]) -> str:
    return f"/incidents/{incident['id']}/people/{person['id']}/subject-access-export"


async def test_the_export_holds_every_incident_naming_the_person_and_no_other_childs_identity(s: School, school_app: Any) -> None:
    first = await s.open(narrative="Ada sent an image to Jordan Okafor, who showed it to others.")
    subject = await s.add_person(first, **SUBJECT)
    other = await s.add_person(first, **OTHER)
    assert (await s.action(first, "dsl_informed", justification="Jordan's mother phoned.")).status_code == 201
    second = await s.open(narrative="A later incident: Ada received an image.")
    again = await s.add_person(second, **{**SUBJECT, "roles": ["recipient"]})
    unrelated = await s.open(narrative="Nothing to do with the subject.")
    await s.add_person(unrelated, **OTHER)

    response = await s.client.get(export_path(first, subject), headers=s.dsl)
    assert response.status_code == 200, response.text
    exported = response.json()

    assert exported["matched_by"] == "upn" and exported["exported_by_role"] == "dsl"
    assert [file["id"] for file in exported["incidents"]] == [first["id"], second["id"]]
    [one, two] = exported["incidents"]
    assert one["subject"]["id"] == subject["id"] and two["subject"]["id"] == again["id"]
    assert one["subject"]["given_name"] == "Ada" and one["subject"]["upn"] == "B801200005001"
    assert one["narrative"] == "Ada sent an image to [another person] [another person], who showed it to others."
    assert one["others_involved"] == [{"kind": "pupil", "roles": ["recipient"]}]
    assert [action["justification"] for action in one["actions"]] == ["[another person]'s mother phoned."]
    assert two["narrative"] == "A later incident: Ada received an image."
    text = response.text
    for withheld in ("Jordan", "Okafor", "2011-02-03", other["id"], unrelated["id"]):
        assert withheld not in text

    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        audited = set((await session.execute(
            select(AuditEntry.operation, AuditEntry.record_type, AuditEntry.record_id).where(
                AuditEntry.tenant == s.urn, AuditEntry.request_id == response.headers["X-Request-ID"]
            )
        )).all())
    expected = {
        ("subject_access.export", "incident", first["id"]), ("subject_access.export", "incident", second["id"]),
        ("subject_access.export", "person", subject["id"]), ("subject_access.export", "person", again["id"]),
        ("subject_access.export", "action", one["actions"][0]["id"]),
    }
    assert expected <= audited
    # The other child was read only to withhold their name, and the audit says so; the unrelated incident not at all.
    assert {row for row in audited if row[2] == other["id"]} == {("subject_access.redact", "person", other["id"])}
    assert not {row for row in audited if row[2] == unrelated["id"]}


async def test_without_a_upn_the_person_is_found_by_name_and_date_of_birth_together(s: School) -> None:
    no_upn = {key: value for key, value in SUBJECT.items() if key != "upn"}
    first = await s.open()
    subject = await s.add_person(first, **no_upn)
    second = await s.open()
    await s.add_person(second, **{**no_upn, "given_name": "ADA"})
    third = await s.open()
    await s.add_person(third, **{**no_upn, "date_of_birth": "2011-09-02"})  # another child of the same name

    exported = (await s.client.get(export_path(first, subject), headers=s.dsl)).json()
    assert exported["matched_by"] == "name_and_date_of_birth"
    assert [file["id"] for file in exported["incidents"]] == [first["id"], second["id"]]


async def test_only_the_dsl_answers_a_subject_access_request(s: School, tokens: Tokens) -> None:
    incident = await s.open()
    subject = await s.add_person(incident, **SUBJECT)
    for caller in (s.head, s.staff, s.mis):
        assert (await s.client.get(export_path(incident, subject), headers=caller)).status_code == 403
