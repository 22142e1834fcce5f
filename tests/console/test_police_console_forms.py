"""Issue 13, the police steps an officer could do only with the API before: the registrar's correction of a
crime's recording, a decision not to record a crime, link changes with a reason, linking a person, PPU
updates, person merges, finding decisions by a ranked officer, and the audit log. Each through the console
as a browser posts it (cookie, CSRF token, url-encoded form) into the police app on the real database, the
refusals shown beside the field they concern."""
from __future__ import annotations

from html import unescape
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.police_api.app import create_app as create_police_app
from shared.clock import Clock
from shared.console.web import CSP
from tests.conftest import FORCE, police_settings
from tests.police_api.conftest import random_name, report_payload, reported_person
from tests.support import Keys, ThrowAwayDatabase, Tokens, bearer


@pytest.fixture(scope="module")
async def police_console(keys: Keys, police_db: ThrowAwayDatabase, clock: Clock) -> AsyncIterator[FastAPI]:
    app = create_police_app(police_settings(keys, police_db.url, console_dev_signing_key_file=keys.path("police-idp.pem")), clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(police_console: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=police_console), base_url="http://police-api") as client:
        yield client


@pytest.fixture
async def school_client(registered_school: str, school_app: Any, police: httpx.AsyncClient) -> dict[str, str]:
    credentials = school_app.state.relay.police.credentials[registered_school]
    answer = await police.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": credentials.client_secret,
    })
    return bearer(answer.json()["access_token"])


async def report(police: httpx.AsyncClient, school_client: dict[str, str], people: list[dict[str, Any]]) -> dict[str, Any]:
    answer = await police.post("/reports", json=report_payload(people),
                               headers={**school_client, "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    return answer.json()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_values(html: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form on the page (its CSRF token and the ETag the person saw)."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    return {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def beside(html: str, field_id: str) -> str:
    """The form group that holds a field: its label, hint, errors and input."""
    start = html.index(f'id="{field_id}"')
    group = html.rfind('<div class="form-group', 0, start)
    following = html.find('<div class="form-group', start)
    return html[group:following if following > 0 else start + 2000]


async def sign_in(browser: httpx.AsyncClient, role: str, rank: str = "") -> None:
    page = await browser.get("/console/sign-in")
    answer = await browser.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": role, "tenant": FORCE, "rank": rank})
    assert answer.status_code == 303, answer.text


async def as_officer(police: httpx.AsyncClient, tokens: Tokens, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return await police.request(method, path, headers={**bearer(tokens.police(role, FORCE)), **kwargs.pop("headers", {})}, **kwargs)


async def crime_on(police: httpx.AsyncClient, tokens: Tokens, incident_id: str) -> dict[str, Any]:
    links = (await as_officer(police, tokens, "scpo", "GET", f"/incidents/{incident_id}/links")).json()["items"]
    victim = next(link for link in links if link["role"] == "victim")
    answer = await as_officer(police, tokens, "scpo", "POST", f"/incidents/{incident_id}/crimes",
                              json={"victim_person_id": victim["person_id"], "offence_code": "86/2"})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_registrar_corrects_a_crimes_offence_code_with_a_reason_and_a_time_before_the_report_is_refused_beside_it(
    browser, police, school_client, tokens
) -> None:
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"])])
    incident_id = str(receipt["police_incident_id"])
    crime = await crime_on(police, tokens, incident_id)
    await sign_in(browser, "crime_registrar")
    page = await browser.get(f"/console/incidents/{incident_id}/crimes")
    form_id = f"form-correct-recording-{crime['id'][:8]}"
    hidden = form_values(page.text, form_id)
    action = f"/console/forms/correct-recording/incident_id/{incident_id}/crime_id/{crime['id']}"

    early = await browser.post(action, data={**hidden, "recorded_at": "2026-01-01T09:00", "reason": "Recorded against the wrong time."})
    assert early.status_code == 422
    assert "A crime cannot be recorded before the report it comes from was received." in beside(
        early.text, f"f-correct-recording-{crime['id'][:8]}-recorded_at")

    done = await browser.post(action, data={**hidden, "offence_code": "86/10", "reason": "The image was taken, not distributed."})
    assert done.status_code == 303 and done.headers["location"].endswith("/crimes?done=correct-recording")
    after = await browser.get(done.headers["location"])
    assert "Offence code from 86/2 to 86/10. Reason: The image was taken, not distributed." in after.text
    assert (await as_officer(police, tokens, "crime_registrar", "GET", f"/crimes/{crime['id']}")).json()["offence_code"] == "86/10"


async def test_a_decision_not_to_record_a_crime_needs_its_reason_and_leaves_a_crime_related_incident(
    browser, police, school_client
) -> None:
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"])])
    incident_id = str(receipt["police_incident_id"])
    await sign_in(browser, "scpo")
    page = await browser.get(f"/console/incidents/{incident_id}/crimes")
    hidden = form_values(page.text, "form-no-crime")
    action = f"/console/forms/no-crime/incident_id/{incident_id}"

    short = await browser.post(action, data={**hidden, "basis": "no_child_pictured", "reason": "Adults."})
    assert short.status_code == 422
    assert "at least 10 characters" in beside(short.text, "f-no-crime-reason")

    done = await browser.post(action, data={**hidden, "basis": "no_child_pictured", "reason": "Everyone pictured is over 18, by ID seen."})
    assert done.status_code == 303
    after = await browser.get(done.headers["location"])
    assert "crime-related incident, code N100" in after.text and 'id="form-no-crime"' not in after.text


async def test_an_officer_changes_a_role_with_a_reason_and_a_child_under_ten_is_never_made_a_suspect(
    browser, police, school_client
) -> None:
    young = reported_person(["recipient"], date_of_birth=date(2018, 5, 1))
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"]), young])
    incident_id = str(receipt["police_incident_id"])
    await sign_in(browser, "call_handler")
    page = await browser.get(f"/console/incidents/{incident_id}")
    young_row = re.search(rf'<a href="/console/persons/([0-9a-f-]+)">{young["given_name"]} {young["family_name"]}</a>', page.text)
    assert young_row is not None
    form_ids = re.findall(r'id="(form-link-role-[0-9a-f]{8})"', page.text)
    assert len(form_ids) == 2

    refused = None
    for form_id in form_ids:
        action = re.search(rf'<form method="post" action="([^"]+)"[^>]*id="{form_id}"', page.text).group(1)
        answer = await browser.post(action, data={**form_values(page.text, form_id), "role": "suspect",
                                                  "reason": "Asked for the image, on reflection."})
        if answer.status_code == 422:
            refused = (answer, form_id)
        else:
            assert answer.status_code == 303
            page = await browser.get(f"/console/incidents/{incident_id}")
    assert refused is not None
    answer, form_id = refused
    assert "P-AGE-OF-RESPONSIBILITY" in beside(answer.text, f"f-{form_id.removeprefix('form-')}-role")
    assert "P-AGE-OF-RESPONSIBILITY" in answer.text.split('class="error-summary"')[1].split("</div>")[0]

    page = await browser.get(f"/console/incidents/{incident_id}")
    added = await browser.post(f"/console/forms/add-link/incident_id/{incident_id}", data={
        **form_values(page.text, "form-add-link"), "person.given_name": random_name(), "person.family_name": random_name(),
        "person.age_years": "15", "person.kind": "pupil", "reported_roles": "recipient",
    })
    assert added.status_code == 303 and added.headers["location"].endswith("?done=add-link")
    assert len(re.findall(r'id="form-link-role-', (await browser.get(added.headers["location"])).text)) == 3


async def test_the_ppu_adds_an_update_on_the_notification_page_and_the_school_never_sees_it(
    browser, police, school_client
) -> None:
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"])])
    await sign_in(browser, "ppu")
    queue = await browser.get("/console/ppu")
    notification_id = re.search(rf'href="/console/incidents/{receipt["police_incident_id"]}">[^<]+</a> \(<a href="/console/ppu/([0-9a-f-]+)"', queue.text).group(1)
    page = await browser.get(f"/console/ppu/{notification_id}")
    assert page.status_code == 200 and "No updates yet." in page.text
    action = f"/console/forms/ppu-update/notification_id/{notification_id}"
    empty = await browser.post(action, data={**form_values(page.text, "form-ppu-update"), "source": "social_care", "text": ""})
    assert empty.status_code == 422 and "Answer this question." in beside(empty.text, "f-ppu-update-text")
    done = await browser.post(action, data={**form_values(page.text, "form-ppu-update"), "source": "social_care",
                                            "text": "Strategy meeting held; social worker allocated."})
    assert done.status_code == 303
    after = await browser.get(done.headers["location"])
    assert "Strategy meeting held; social worker allocated." in after.text and "<strong>Children's social care</strong>" in unescape(after.text)
    acknowledge = re.search(rf'<form method="post" action="/console/ppu/{notification_id}/acknowledge">.*?</form>', after.text, re.S).group(0)
    acknowledged = await browser.post(f"/console/ppu/{notification_id}/acknowledge",
                                      data={k: unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', acknowledge)})
    assert acknowledged.headers["location"] == f"/console/ppu/{notification_id}?done=acknowledged"


async def test_a_duplicate_record_is_merged_with_its_reason_and_a_record_is_never_merged_into_itself(
    browser, police, school_client, tokens
) -> None:
    given, family = random_name(), random_name()
    first = await report(police, school_client, [reported_person(["pictured", "sender"], given_name=given, family_name=family)])
    second = await report(police, school_client, [reported_person(["pictured", "sender"], given_name=given, family_name=family,
                                                                  date_of_birth=None, age_years=14)])
    kept = (await as_officer(police, tokens, "scpo", "GET", f"/incidents/{first['police_incident_id']}/links")).json()["items"][0]["person_id"]
    duplicate = (await as_officer(police, tokens, "scpo", "GET", f"/incidents/{second['police_incident_id']}/links")).json()["items"][0]["person_id"]
    assert kept != duplicate
    await sign_in(browser, "supervisor")
    page = await browser.get(f"/console/persons/{kept}")
    assert page.status_code == 200 and given not in re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    action = f"/console/forms/merge/person_id/{kept}"

    itself = await browser.post(action, data={**form_values(page.text, "form-merge"), "duplicate_person_id": kept,
                                              "reason": "The same child reported twice."})
    assert itself.status_code == 422 and "A person cannot be merged into themselves." in itself.text

    done = await browser.post(action, data={**form_values(page.text, "form-merge"), "duplicate_person_id": duplicate,
                                            "reason": "The same child reported twice, once without a date of birth."})
    assert done.status_code == 303
    after = await browser.get(done.headers["location"])
    assert first["police_reference"] in after.text and second["police_reference"] in after.text


async def test_a_finding_is_cleared_or_overridden_only_by_an_officer_of_the_forces_minimum_rank(
    browser, police, school_client, tokens
) -> None:
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"])])
    incident_id = str(receipt["police_incident_id"])
    assessment = await as_officer(police, tokens, "scpo", "GET", f"/incidents/{incident_id}/assessment")
    recorded = await as_officer(police, tokens, "scpo", "PUT", f"/incidents/{incident_id}/assessment",
                                json={"indicators": ["persistent_behaviour"]}, headers={"If-Match": assessment.headers["etag"]})
    assert recorded.status_code == 200, recorded.text

    sign_in_page = await browser.get("/console/sign-in")
    unknown = await browser.post("/console/sign-in", data={"csrf_token": csrf_of(sign_in_page.text), "role": "scpo",
                                                           "tenant": FORCE, "rank": "admiral"})
    assert unknown.status_code == 422 and "Choose a rank from the list, or none." in unknown.text
    await sign_in(browser, "scpo", rank="constable")
    page = await browser.get(f"/console/incidents/{incident_id}/route")
    # Why the route: the finding that calls for a full investigation is also the computed route's reason;
    # it is listed once.
    why = re.findall(r"<li><strong>(P-[A-Z0-9-]+)</strong>", page.text.split("Why this route", 1)[1].split("</ul>", 1)[0])
    assert why.count("P-FULL-INVESTIGATION") == 1, why
    action = f"/console/forms/finding-decision/incident_id/{incident_id}"
    decision = {"indicator": "persistent_behaviour", "action": "overridden",
                "reason": "Two messages a day apart: not persistent in the guidance's sense."}
    low = await browser.post(action, data={**form_values(page.text, "form-finding-decision"), **decision})
    assert low.status_code == 422
    assert "needs an officer of rank inspector or above; the caller holds constable" in beside(low.text, "f-finding-decision-indicator")

    await browser.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)})
    await sign_in(browser, "scpo", rank="inspector")
    page = await browser.get(f"/console/incidents/{incident_id}/route")
    done = await browser.post(action, data={**form_values(page.text, "form-finding-decision"), **decision})
    assert done.status_code == 303
    after = await browser.get(done.headers["location"])
    assert "Persistent behaviour: Overridden: it stands, set aside for the outcome, by scpo:console-scpo-52 (Inspector)" in after.text


async def test_the_audit_log_is_for_the_supervisor_and_the_registrar_and_filters_by_record(
    browser, police, school_client
) -> None:
    receipt = await report(police, school_client, [reported_person(["pictured", "sender"])])
    incident_id = str(receipt["police_incident_id"])
    await sign_in(browser, "scpo")
    assert 'href="/console/audit"' not in (await browser.get("/console/incidents")).text
    assert (await browser.get("/console/audit")).status_code == 403
    assert (await browser.get("/console/audit", params={"record_id": "not-an-id"})).status_code == 403
    await browser.get(f"/console/incidents/{incident_id}")
    await browser.post("/console/sign-out", data={"csrf_token": csrf_of((await browser.get("/console/incidents")).text)})

    await sign_in(browser, "crime_registrar")
    assert 'href="/console/audit"' in (await browser.get("/console/incidents")).text
    page = await browser.get("/console/audit", params={"record_id": incident_id, "operation": "police_incident.read"})
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", page.text)
    assert ("console-scpo-52", "Safer Schools officer (SCPO)", "police_incident.read") in rows
    wrong = await browser.get("/console/audit", params={"record_id": "not-an-id"})
    assert wrong.status_code == 422 and "Record id" in beside(wrong.text, "f-audit-record")


async def test_the_new_pages_are_no_store_under_the_csp_with_no_inline_script_no_file_input_and_no_name_in_a_title(
    browser, police, school_client
) -> None:
    child = reported_person(["pictured", "sender"])
    receipt = await report(police, school_client, [child])
    incident_id = str(receipt["police_incident_id"])
    await sign_in(browser, "supervisor")
    overview = await browser.get(f"/console/incidents/{incident_id}")
    person_id = re.search(r'href="/console/persons/([0-9a-f-]+)"', overview.text).group(1)
    notification_id = re.search(r'href="/console/ppu/([0-9a-f-]+)"', (await browser.get("/console/ppu")).text).group(1)
    for path in (f"/console/incidents/{incident_id}", f"/console/incidents/{incident_id}/crimes",
                 f"/console/incidents/{incident_id}/route", f"/console/persons/{person_id}",
                 f"/console/ppu/{notification_id}", "/console/audit"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store" and page.headers["content-security-policy"] == CSP
        assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, path
        assert re.search(r"\son[a-z]+=", page.text) is None and ' style="' not in page.text, path
        assert 'type="file"' not in page.text and "multipart" not in page.text, path
        title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
        assert child["given_name"] not in title and child["family_name"] not in title, path
        assert not re.search(rf'(href|action)="[^"]*({child["given_name"]}|{child["family_name"]})', page.text), path
