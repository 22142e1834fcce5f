"""An edited narrative keeps its history (issue 14, minimisation): the text it replaced, who replaced it and
when, visible to the DSL at GET /incidents/{id}/narrative-history, each version's reading audited."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.school_api.database import AuditEntry
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import Tokens, bearer


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


async def edit(s: School, incident: dict[str, Any], headers: dict[str, str], **fields: Any) -> httpx.Response:
    response = await s.client.patch(s.path(incident), json=fields, headers={**headers, "If-Match": await s.etag(incident)})
    assert response.status_code == 200, response.text
    return response


async def test_each_edit_of_the_narrative_keeps_the_text_it_replaced_with_who_and_when(
    s: School, tokens: Tokens, moved_clock: Clock, school_app: Any
) -> None:
    incident = await s.open(narrative="First account.", where_image_ended_up="Unknown.")
    deputy = bearer(tokens.school("deputy_dsl", s.urn, sub="deputy-one"))
    moved_clock.advance(timedelta(hours=1))
    await edit(s, incident, s.dsl, narrative="Second account.")
    moved_clock.advance(timedelta(hours=1))
    await edit(s, incident, deputy, narrative="Third account.", where_image_ended_up="A group chat.")
    # Sending the same text again, or another field, is not an edit of the narrative.
    await edit(s, incident, s.dsl, narrative="Third account.", sharing_extent="few_people")

    response = await s.client.get(s.path(incident, "/narrative-history"), headers=s.dsl)
    assert response.status_code == 200, response.text
    versions = response.json()["versions"]
    assert [(v["field"], v["previous_text"], v["incident_version"], v["replaced_by"], v["replaced_by_role"]) for v in versions] == [
        ("narrative", "First account.", 1, f"dsl-{s.urn}", "dsl"),
        ("narrative", "Second account.", 2, "deputy-one", "deputy_dsl"),
        ("where_image_ended_up", "Unknown.", 2, "deputy-one", "deputy_dsl"),
    ]
    assert versions[0]["replaced_at"] < versions[1]["replaced_at"]
    current = (await s.client.get(s.path(incident), headers=s.dsl)).json()
    assert current["narrative"] == "Third account." and current["where_image_ended_up"] == "A group chat."

    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        audited = set(
            (await session.execute(
                select(AuditEntry.operation, AuditEntry.record_id).where(AuditEntry.tenant == s.urn, AuditEntry.record_type == "narrative_version")
            )).all()
        )
    for version in versions:
        assert ("narrative_version.create", version["id"]) in audited
        assert ("narrative_version.read", version["id"]) in audited


async def test_the_history_is_for_those_who_read_narratives_and_not_for_staff_or_the_mis(s: School) -> None:
    incident = await s.open(narrative="First account.")
    await edit(s, incident, s.dsl, narrative="Corrected.")
    assert (await s.client.get(s.path(incident, "/narrative-history"), headers=s.head)).status_code == 200
    for caller in (s.staff, s.mis):
        assert (await s.client.get(s.path(incident, "/narrative-history"), headers=caller)).status_code == 403
