"""Issue 16, acceptance 2: every list of both services answers one page shape and pages by cursor.

Both tests find the lists by reading the OpenAPI documents, so a list added later is held to the same
shape and walked too: the walk fails until the seeding below gives the new list two rows.
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.police_api.access import POLICY as POLICE_POLICY
from services.school_api.access import POLICY as SCHOOL_POLICY
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS
from tests.conftest import FORCE
from tests.police_api.conftest import report_payload, reported_person
from tests.school_api.workflow import AT, School
from tests.support import Tokens, bearer

OPENAPI = Path(__file__).resolve().parents[2] / "openapi"
DOCUMENTS = {"school_api": OPENAPI / "school_api.json", "police_api": OPENAPI / "police_api.json"}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def json_body_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation["responses"].get("200", {}).get("content", {})
    if "application/json" not in content:
        return None
    return resolve(document, content["application/json"].get("schema", {}))


def list_operations(service: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, operation id, 200 schema) of every GET whose body is a list: a bare array or a page."""
    document = json.loads(DOCUMENTS[service].read_text())
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        schema = json_body_schema(document, operation)
        if schema is None:
            continue
        if schema.get("type") == "array" or "items" in schema.get("properties", {}):
            found.append((path, operation["operationId"], operation))
    return found


def page_schema_problems(service: str, path: str, operation: dict[str, Any]) -> list[str]:
    document = json.loads(DOCUMENTS[service].read_text())
    schema = json_body_schema(document, operation)
    assert schema is not None
    problems = []
    if schema.get("type") == "array":
        return [f"{service} GET {path}: answers a bare array"]
    if set(schema.get("properties", {})) != {"items", "next_cursor"}:
        problems.append(f"{service} GET {path}: page has fields {sorted(schema['properties'])}")
    if set(schema.get("required", [])) != {"items", "next_cursor"}:
        problems.append(f"{service} GET {path}: items and next_cursor are not both required")
    if schema["properties"].get("items", {}).get("type") != "array":
        problems.append(f"{service} GET {path}: items is not an array")
    cursor_types = {option.get("type") for option in schema["properties"].get("next_cursor", {}).get("anyOf", [])}
    if cursor_types != {"string", "null"}:
        problems.append(f"{service} GET {path}: next_cursor is not a string or null")
    parameters = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
    for name in ("cursor", "limit"):
        if name not in parameters or parameters[name]["in"] != "query":
            problems.append(f"{service} GET {path}: no `{name}` query parameter")
    return problems


def test_every_list_in_both_openapi_documents_answers_items_and_next_cursor_with_cursor_and_limit() -> None:
    problems = []
    counted = 0
    for service in DOCUMENTS:
        for path, _operation_id, operation in list_operations(service):
            counted += 1
            problems += page_schema_problems(service, path, operation)
    assert counted >= 24  # every list of both services when this test was written
    assert problems == []


# ---------------------------------------------------------------------------------------------------
# The walk: a school and a force with at least two rows in every list, then limit=1 page by page.

SCHOOL_ROLES = ("dsl", "headteacher")
POLICE_ROLES = ("supervisor", "crime_registrar", "scpo", "ppu", "call_handler", "cid")
PAGES_WALKED = 3  # force-wide lists hold every other test's rows too; three pages prove the cursor


def just_now() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


async def seed_school(school: httpx.AsyncClient, school_app: Any, tokens: Tokens, urn: str) -> dict[str, str]:
    s = School(school, tokens, urn)
    incident = await s.open()
    await s.open()  # a second incident for the incident list
    pictured = await s.add_person(incident, upn="B801200005001")
    sharer = await s.add_person(incident, roles=["recipient", "sharer"], sex="male", age_years=15)
    devices = [(await s.add_device(incident)).json() for _ in range(2)]
    await s.inform_dsl_and_senior_management(incident)
    for text in ("Phone passed round at lunch.", "Heard about a group chat."):
        observed = await school.post(s.path(incident, "/observations"), json={"observed_at": AT, "text": text}, headers=s.dsl)
        assert observed.status_code == 201, observed.text
    # Two of each issue 12 record, so their lists page too.
    for child in (pictured, sharer):
        assert (await s.hold_initial_review(incident)).status_code == 201
        assert (await s.hear_child(incident, child)).status_code == 201
    for device in devices:
        search_authority = await school.post(
            s.path(incident, "/authorisations"),
            json={"kind": "device_search", "device_id": device["id"], "authorised_person": "Mr Deputy", "reason": "To see how far it spread."},
            headers=s.head,
        )
        assert search_authority.status_code == 201, search_authority.text
        searched = await school.post(
            s.path(incident, "/searches"),
            json={
                "device_id": device["id"], "pupil_person_id": sharer["id"], "authorisation_id": search_authority.json()["id"],
                "searched_by": "Mr Deputy", "safeguarding_member_present": "Ms DSL", "searcher_same_sex_as_pupil": True,
                "in_line_with_school_policy": True, "would_add_distress": False,
                "distress_judgement": "Pictured pupil not present; no added distress.", "searched_at": AT,
            },
            headers=s.dsl,
        )
        assert searched.status_code == 201, searched.text
        view_authority = await school.post(
            s.path(incident, "/authorisations"),
            json={"kind": "image_viewing", "device_id": device["id"], "reason": "To judge whether the image is indecent."},
            headers=s.head,
        )
        assert view_authority.status_code == 201, view_authority.text
        viewed = await school.post(
            s.path(incident, "/image-viewings"),
            json={
                "device_id": device["id"], "authorisation_id": view_authority.json()["id"], "reason": "To judge the image's nature.",
                "distress_judgement": "Viewed alone, away from the pupil; no added distress.", "viewed_at": AT,
            },
            headers=s.dsl,
        )
        assert viewed.status_code == 201, viewed.text
    for typology in ("experimental_romantic", "aggravated_youth_reckless_misuse"):
        assessed = await s.assess(incident, typology=typology)
        assert assessed.status_code == 201, assessed.text
    decided = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Forwarded without consent.")
    assert decided.status_code == 201, decided.text
    reviewed = await school.post(
        s.path(incident, "/review"), json={"outcome": "Police gave an education input."}, headers={**s.dsl, "If-Match": decided.headers["ETag"]}
    )
    assert reviewed.status_code == 201, reviewed.text
    await second_referral_and_review(school_app, urn, uuid.UUID(incident["id"]))
    assert pictured["id"]
    return {"incident_id": incident["id"]}


async def second_referral_and_review(school_app: Any, urn: str, incident_id: uuid.UUID) -> None:
    """The procedure makes one police referral and one review per incident, so the API cannot make a
    second; these rows exist only so that the walk has a second page of each list to read."""
    from services.school_api.referrals.models import PoliceReferral
    from services.school_api.referrals.vocabulary import DeliveryState, PoliceChannel
    from services.school_api.reviews.models import Review

    now = school_app.state.runtime.clock.now()
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        session.add(
            PoliceReferral(
                school_urn=urn, incident_id=incident_id, channel=PoliceChannel.scpo, delivery_state=DeliveryState.queued,
                created_by="test", created_at=now + timedelta(seconds=1), updated_at=now,
            )
        )
        session.add(Review(school_urn=urn, incident_id=incident_id, outcome="Second look.", reviewed_by="test", reviewed_at=now + timedelta(seconds=1)))
        await session.commit()


async def seed_police(police: httpx.AsyncClient, school_client: dict[str, str], tokens: Tokens, clock: Clock) -> dict[str, str]:
    async def submit(payload: dict[str, Any]) -> dict[str, Any]:
        answer = await police.post("/reports", json=payload, headers={**school_client, "Idempotency-Key": uuid.uuid4().hex})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def officer(role: str) -> dict[str, str]:
        return bearer(tokens.police(role, FORCE))

    people = [reported_person(["pictured", "sender"]), reported_person(["recipient", "possessor"]), reported_person(["pictured"])]
    receipt = await submit(report_payload(people, typology="experimental_romantic"))
    for _ in range(2):  # reports left without a crime decision, for the compliance view
        await submit(report_payload([reported_person(["pictured"])]))
    incident_id = receipt["police_incident_id"]
    scpo, supervisor, ppu = officer("scpo"), officer("supervisor"), officer("ppu")
    inspector = bearer(tokens.police("supervisor", FORCE, sub="insp-list", rank="inspector"))

    links = (await police.get(f"/incidents/{incident_id}/links", params={"limit": 200}, headers=scpo)).json()["items"]
    victims = [link for link in links if link["role"] in ("victim", "victim_and_suspect")]
    assert len(victims) == 2, links
    clock.advance(timedelta(hours=25))  # so that both crimes are recorded late, for the compliance view
    crimes = []
    for victim in victims:
        crime = await police.post(
            f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
        )
        assert crime.status_code == 201, crime.text
        crimes.append(crime.json())
    with_subject = next(crime for crime in crimes if crime["subject_person_ids"])

    # Two findings recorded and then cleared by an inspector, for the compliance view's finding decisions.
    assessment = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    found = await police.put(
        f"/incidents/{incident_id}/assessment", json={"indicators": ["coercion", "exploitation"]}, headers={**scpo, "If-Match": assessment.headers["ETag"]}
    )
    assert found.status_code == 200, found.text
    etag = found.headers["ETag"]
    for indicator in ("coercion", "exploitation"):
        cleared = await police.post(
            f"/incidents/{incident_id}/finding-decisions",
            json={"indicator": indicator, "action": "cleared", "reason": "Recorded in error on the call."},
            headers={**inspector, "If-Match": etag},
        )
        assert cleared.status_code == 201, cleared.text
        etag = cleared.headers["ETag"]

    assessment = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    routed = await police.post(
        f"/incidents/{incident_id}/route",
        json={"route": "scpo", "no_prosecution_reason": "Experimental, consensual, no aggravating features."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    assert routed.status_code == 200, routed.text
    notifications = (await police.get(f"/incidents/{incident_id}/ppu-notifications", params={"limit": 200}, headers=ppu)).json()["items"]
    for notification in notifications:
        acknowledged = await police.post(
            f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": f'"v{notification["version"]}"'}
        )
        assert acknowledged.status_code == 200, acknowledged.text
    for held_on in ("2026-12-01", "2026-12-02"):
        meeting = await police.post(
            f"/incidents/{incident_id}/restorative-meetings",
            json={"held_on": held_on, "attendees": [{"description": "head of year"}], "outcome": "Harm understood."},
            headers=scpo,
        )
        assert meeting.status_code == 201, meeting.text
    for kind in ("assembly", "general_lesson"):
        education = await police.post(
            f"/incidents/{incident_id}/education",
            json={"kind": kind, "delivered_on": "2026-12-02", "description": "Sharing nudes: law and consent."},
            headers=scpo,
        )
        assert education.status_code == 201, education.text
    contact = await police.post(
        f"/crimes/{with_subject['id']}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": just_now(), "method": "telephone"},
        headers=scpo,
    )
    assert contact.status_code == 201, contact.text
    current = await police.get(f"/crimes/{with_subject['id']}", headers=scpo)
    proposal = await police.post(
        f"/crimes/{with_subject['id']}/outcome-proposal",
        json={"code": 21, "public_interest_rationale": "Non-abusive, no exploitation; prosecution would not serve the child."},
        headers={**scpo, "If-Match": current.headers["ETag"]},
    )
    assert proposal.status_code == 200, proposal.text
    final = await police.post(
        f"/crimes/{with_subject['id']}/outcome", json={"code": 21}, headers={**supervisor, "If-Match": proposal.headers["ETag"]}
    )
    assert final.status_code == 200, final.text
    return {"incident_id": incident_id, "crime_id": with_subject["id"]}


def role_for(policy: dict[str, frozenset[Any]], operation_id: str, preference: tuple[str, ...]) -> str:
    allowed = {getattr(role, "value", role) for role in policy[operation_id]}
    return next(role for role in preference if role in allowed)


async def walk(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """Up to PAGES_WALKED pages of one item, following next_cursor; and the same span asked for at once."""
    pages: list[Any] = []
    cursor = None
    while len(pages) < PAGES_WALKED:
        answer = await client.get(path, params={"limit": 1, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert answer.status_code == 200, f"{path}: {answer.text}"
        body = answer.json()
        assert set(body) == {"items", "next_cursor"}, f"{path}: {sorted(body)}"
        assert len(body["items"]) == 1, f"{path}: a page of limit=1 held {len(body['items'])}"
        pages.append(body["items"][0])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    at_once = await client.get(path, params={"limit": len(pages)}, headers=headers)
    assert at_once.status_code == 200, f"{path}: {at_once.text}"
    return pages, at_once.json()["items"]


@pytest.fixture
async def school_client(registered_school: str, school_app: Any, police: httpx.AsyncClient) -> dict[str, str]:
    credentials = school_app.state.relay.police.credentials[registered_school]
    answer = await police.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": credentials.client_secret},
    )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


async def test_every_list_of_both_services_pages_past_its_first_page_without_repeating_a_row(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, registered_school: str,
    school_client: dict[str, str], tokens: Tokens, moved_clock: Clock,
) -> None:
    # Tokens are checked against the wall clock, so every token is minted before the police's seeding
    # moves the apps' clock a day on.
    police_headers = {role: bearer(tokens.police(role, FORCE)) for role in POLICE_ROLES}
    seeds = {
        "school_api": lambda: seed_school(school, school_app, tokens, registered_school),
        "police_api": lambda: seed_police(police, school_client, tokens, moved_clock),
    }
    clients = {"school_api": school, "police_api": police}
    walked, short = [], []
    for service, client in clients.items():
        ids = await seeds[service]()
        # A list that counts down (an undecided incident's seconds left under NCRS) must read the same in
        # pages of one as in one page, so each walk reads one instant.
        with moved_clock.frozen():
            for path, operation_id, _operation in list_operations(service):
                if service == "school_api":
                    headers = bearer(tokens.school(role_for(SCHOOL_POLICY, operation_id, SCHOOL_ROLES), registered_school))
                elif operation_id == "follow_status_changes":  # the school client's own feed, no officer's
                    headers = school_client
                else:
                    headers = police_headers[role_for(POLICE_POLICY, operation_id, POLICE_ROLES)]
                url = path.format(**ids)
                pages, at_once = await walk(client, url, headers)
                if len(pages) < 2:
                    short.append(f"{service} GET {path}")
                    continue
                walked.append(url)
                assert pages[0] != pages[1], f"{path}: the second page repeats the first"
                assert len({json.dumps(page, sort_keys=True) for page in pages}) == len(pages), f"{path}: a row shown twice"
                assert pages == at_once, f"{path}: pages of one differ from one page of {len(pages)}"
    assert short == [], "lists the seeding gives fewer than two rows"
    assert len(walked) >= 24
