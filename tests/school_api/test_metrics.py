"""/metrics on the school service (issue 15): requests by route template, the outbox, no personal data."""
from __future__ import annotations

import httpx

from tests.handoff.support import refer
from tests.shared.metrics_scan import personal_label_values, scrape, value_of
from tests.support import Tokens
from tests.school_api.workflow import School

CHILD_GIVEN, CHILD_FAMILY = "Metricsonia", "Labelworth"


async def test_requests_are_counted_by_route_template_never_by_the_path_a_caller_sent(
    school: httpx.AsyncClient, tokens: Tokens, urn: str
) -> None:
    dsl = School(school, tokens, urn)
    incident = await dsl.open()
    await dsl.add_person(incident, given_name=CHILD_GIVEN, family_name=CHILD_FAMILY, date_of_birth="2011-03-04", age_years=None)
    before = await scrape(school)
    answer = await school.get(f"/incidents/{incident['id']}/people", headers=dsl.dsl)
    assert answer.status_code == 200
    after = await scrape(school)

    labels = dict(method="GET", route="/incidents/{incident_id}/people", status="200")
    assert value_of(after, "http_requests_total", **labels) == value_of(before, "http_requests_total", **labels, missing=0) + 1
    assert value_of(after, "http_request_duration_seconds_count", method="GET", route="/incidents/{incident_id}/people") >= 1


async def test_no_label_carries_a_name_a_date_of_birth_or_a_record_id(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
    dsl = School(school, tokens, urn)
    incident = await dsl.open()
    await dsl.add_person(incident, given_name=CHILD_GIVEN, family_name=CHILD_FAMILY, date_of_birth="2011-03-04", age_years=None)
    # A path that matches no route, and a refused request, are labelled by what they are, not what was sent.
    await school.get(f"/incidents/{incident['id']}/{CHILD_FAMILY}", headers=dsl.dsl)
    await school.get(f"/incidents/{incident['id']}", headers={"Authorization": "Bearer not-a-token"})
    samples = await scrape(school)
    assert personal_label_values(samples, [CHILD_GIVEN, CHILD_FAMILY, urn, incident["reference"]]) == []
    assert value_of(samples, "http_requests_total", route="unmatched", status="404") >= 1


async def test_the_outbox_depth_and_the_age_of_the_oldest_waiting_referral_are_exposed(
    school: httpx.AsyncClient, tokens: Tokens, urn: str, dsl: dict[str, str]
) -> None:
    before = await scrape(school)
    await refer(school, dsl)  # the relay is off in these tests, so the message waits in the outbox
    after = await scrape(school)
    assert value_of(after, "school_outbox_messages", state="pending") == value_of(before, "school_outbox_messages", state="pending") + 1
    assert value_of(after, "school_outbox_oldest_pending_age_seconds") >= 0
    assert value_of(after, "metrics_database_readable") == 1
