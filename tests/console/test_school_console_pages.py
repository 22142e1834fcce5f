"""Issue 13, the school console's pages for the steps that had none: completing the disclosure answers,
observations, editing a person, the next steps, the initial review and the child's account, the audit log
and the search by reference. In-process, through real HTTP into the school app on the real database, signed
in as a person is (session cookie and CSRF token), each form a write of the API."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.school_api.app import create_app as create_school_app
from services.school_api.console import routes
from shared.clock import Clock
from shared.console.web import CSP
from tests.conftest import school_settings
from tests.console.support import csrf_of, open_incident, sign_in
from tests.support import Keys, ThrowAwayDatabase, Tokens, bearer


@pytest.fixture(scope="module")
async def console_app(keys: Keys, school_db: ThrowAwayDatabase, workdir: Path, clock: Clock) -> AsyncIterator[FastAPI]:
    settings = school_settings(keys, school_db.url, workdir, console_dev_signing_key_file=keys.path("school-idp.pem"))
    app = create_school_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(console_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client, as a browser is."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console_app), base_url="http://school-api") as client:
        yield client


def form_of(html: str, form_id: str) -> str:
    return re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)


def hidden(html: str, name: str) -> str:
    """A hidden field's value as a browser posts it back (unescaped)."""
    return unescape(re.search(rf'name="{name}" value="([^"]*)"', html).group(1))


async def add_person(browser: httpx.AsyncClient, incident_id: str, **fields: str) -> str:
    page = await browser.get(f"/console/incidents/{incident_id}/people")
    answer = await browser.post(f"/console/forms/add-person/incident_id/{incident_id}", data={"csrf_token": csrf_of(page.text), **fields})
    assert answer.status_code == 303, answer.text
    people = await browser.get(f"/console/incidents/{incident_id}/people")
    return re.findall(rf'href="/console/incidents/{incident_id}/people/([0-9a-f-]+)"', people.text)[-1]


async def test_the_new_pages_are_no_store_under_the_strict_csp_with_no_inline_script_or_file_input(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    person_id = await add_person(browser, incident_id, given_name="Robin", kind="pupil", roles="pictured", age_years="14")
    for path in (f"/console/incidents/{incident_id}/observations", f"/console/incidents/{incident_id}/meetings",
                 f"/console/incidents/{incident_id}/audit", f"/console/incidents/{incident_id}/people/{person_id}"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store" and page.headers["content-security-policy"] == CSP
        assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, path
        assert re.search(r"\son[a-z]+=", page.text) is None and ' style="' not in page.text, path
        assert 'type="file"' not in page.text and "multipart" not in page.text, path
        title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
        assert "Robin" not in title


async def test_the_dsl_completes_the_disclosure_answers_later_sending_only_what_changed(browser, console_app, tokens: Tokens, urn) -> None:
    await sign_in(browser, "dsl", urn)
    page = await browser.get("/console/incidents/new")
    opened = await browser.post("/console/forms/new-incident", data={
        "csrf_token": csrf_of(page.text), "disclosed_at": "2026-12-01T09:30", "disclosure_source": "peer",
        "narrative": "A pupil said a picture was going round.",
    })
    incident_id = opened.headers["location"].split("/")[3].split("?")[0]
    summary = await browser.get(f"/console/incidents/{incident_id}")
    form = form_of(summary.text, "form-complete-disclosure")
    assert 'action="/console/forms/complete-disclosure/incident_id/' in form and 'name="if_match"' in form
    assert "A pupil said a picture was going round." in form  # the answers as they stand, to correct
    seen_etag = hidden(form, "if_match")
    answer = await browser.post(f"/console/forms/complete-disclosure/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(summary.text), "if_match": seen_etag, "sharing_extent": "widely", "dsl_consulted": "yes",
        "where_image_ended_up": "A year 10 group chat", "image_nature": "unknown",
        "narrative": "A pupil said a picture was going round.",
    })
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=complete-disclosure")
    summary = await browser.get(answer.headers["location"])
    assert "The disclosure answers have been saved." in summary.text
    assert re.search(r"How widely shared</dt><dd>Widely", summary.text) and "A year 10 group chat" in summary.text

    # The narrative was shown and sent back unchanged: it was not sent, so no earlier text was kept.
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=console_app), base_url="http://school-api")
    async with api:
        history = await api.get(f"/incidents/{incident_id}/narrative-history", headers=bearer(tokens.school("dsl", urn)))
    assert history.status_code == 200
    assert [version["field"] for version in history.json()["versions"] if version["field"] == "narrative"] == []

    # An answer emptied is sent as "not known"; a page read before someone else's change is refused (412).
    current = hidden(form_of(summary.text, "form-complete-disclosure"), "if_match")
    cleared = await browser.post(f"/console/forms/complete-disclosure/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(summary.text), "if_match": current, "sharing_extent": "widely", "dsl_consulted": "",
        "where_image_ended_up": "", "image_nature": "unknown", "narrative": "A pupil said a picture was going round.",
    })
    assert cleared.status_code == 303
    summary = await browser.get(f"/console/incidents/{incident_id}")
    assert re.search(r"DSL consulted</dt><dd>Not known yet", summary.text) and "A year 10 group chat" not in summary.text
    stale = await browser.post(f"/console/forms/complete-disclosure/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(summary.text), "if_match": seen_etag, "sharing_extent": "few_people",
    })
    assert stale.status_code == 422 and "Someone changed this record after you opened the page." in stale.text
    unchanged = await browser.post(f"/console/forms/complete-disclosure/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(summary.text), "if_match": hidden(form_of(summary.text, "form-complete-disclosure"), "if_match"),
        "sharing_extent": "widely", "image_nature": "unknown", "narrative": "A pupil said a picture was going round.",
    })
    assert unchanged.status_code == 422 and "You have not changed any answer." in unchanged.text


async def test_staff_add_what_they_saw_and_the_dsl_reads_it_on_the_observations_page(browser, urn) -> None:
    await sign_in(browser, "staff", urn)
    page = await browser.get("/console/incidents/new")
    opened = await browser.post("/console/forms/new-incident", data={
        "csrf_token": csrf_of(page.text), "disclosed_at": "2026-12-01T09:30", "disclosure_source": "peer",
    })
    action = re.search(r'action="(/console/forms/add-observation/incident_id/[0-9a-f-]+)"', opened.text).group(1)
    incident_id = action.rsplit("/", 1)[1]
    empty = await browser.post(action, data={"csrf_token": csrf_of(opened.text), "observed_at": "2026-12-01T10:00", "text": ""})
    assert empty.status_code == 422 and 'class="field-error"' in form_of(empty.text, "form-add-observation")
    added = await browser.post(action, data={
        "csrf_token": csrf_of(opened.text), "observed_at": "2026-12-01T10:00", "text": "Saw a phone passed round the lunch table.",
    })
    assert added.status_code == 303
    after = await browser.get(added.headers["location"])
    assert "The observation has been added." in after.text and "Saw a phone passed round" not in after.text

    await sign_in(browser, "dsl", urn)
    listing = await browser.get(f"/console/incidents/{incident_id}/observations")
    assert "Saw a phone passed round the lunch table." in listing.text and "A member of staff" in listing.text
    assert form_of(listing.text, "form-add-observation")


async def test_the_dsl_edits_a_person_with_refusals_beside_the_field_and_a_stale_page_refused(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    person_id = await add_person(browser, incident_id, given_name="Robin", family_name="Example", kind="pupil", roles="pictured", age_years="14")
    page = await browser.get(f"/console/incidents/{incident_id}/people/{person_id}")
    form = form_of(page.text, "form-edit-person")
    assert 'value="Robin"' in form and 'value="14"' in form
    etag = hidden(form, "if_match")
    mistyped = await browser.post(f"/console/forms/edit-person/incident_id/{incident_id}/person_id/{person_id}", data={
        "csrf_token": csrf_of(page.text), "if_match": etag, "given_name": "Robin", "family_name": "Example", "kind": "pupil",
        "roles": "pictured", "age_years": "14", "upn": "A801200005001",
    })
    assert mistyped.status_code == 422
    assert re.search(r'id="f-edit-person-upn-error">.*Not a valid UPN', mistyped.text)
    changed = await browser.post(f"/console/forms/edit-person/incident_id/{incident_id}/person_id/{person_id}", data={
        "csrf_token": csrf_of(page.text), "if_match": etag, "given_name": "Robin", "family_name": "Example", "kind": "pupil",
        "roles": ["pictured", "sender"], "age_years": "15", "upn": "B801200005001", "vulnerabilities": "looked_after",
    })
    assert changed.status_code == 303 and changed.headers["location"].endswith("/people?done=edit-person")
    people = await browser.get(changed.headers["location"])
    assert "The person&#39;s details have been changed." in people.text
    assert "B801200005001" in people.text and "15 years" in people.text and "Looked after" in people.text
    stale = await browser.post(f"/console/forms/edit-person/incident_id/{incident_id}/person_id/{person_id}", data={
        "csrf_token": csrf_of(page.text), "if_match": etag, "given_name": "Robyn", "kind": "pupil", "roles": "pictured",
    })
    assert stale.status_code == 422 and "Someone changed this record after you opened the page." in stale.text


async def test_the_summary_shows_the_next_steps_with_rule_ids_and_the_guidance_words(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    summary = await browser.get(f"/console/incidents/{incident_id}")
    steps = re.search(r'<ol class="next-steps">.*?</ol>', summary.text, re.S).group(0)
    for rule in ("S-DSL", "S-INITIAL-REVIEW", "S-CHILD-VOICE", "S-CSE", "S-IMMEDIATE"):
        assert f">{rule}</strong>" in steps
    assert "Hold the DSL&#39;s initial review meeting" in steps
    assert "who attended and what was decided are recorded" in steps  # the guidance's own words beside the rule id
    assert f'href="/console/incidents/{incident_id}/meetings"' in steps
    assert "The incident cannot be closed until each step needed is recorded" in summary.text

    meetings = await browser.get(f"/console/incidents/{incident_id}/meetings")
    recorded = await browser.post(f"/console/forms/initial-review/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(meetings.text), "held_at": "2026-12-01T11:00", "attendees.0.name": "J Smith",
        "attendees.0.role": "dsl", "decided": "Speak to both pupils today; parents to be told.",
    })
    assert recorded.status_code == 303
    summary = await browser.get(f"/console/incidents/{incident_id}")
    assert ">S-INITIAL-REVIEW</strong>" not in summary.text and ">S-CHILD-VOICE</strong>" in summary.text


async def test_the_initial_review_and_the_childs_account_are_recorded_with_refusals_beside_the_field(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    child_id = await add_person(browser, incident_id, given_name="Robin", kind="pupil", roles="pictured", age_years="14")
    adult_id = await add_person(browser, incident_id, given_name="Pat", kind="adult", roles="recipient")
    page = await browser.get(f"/console/incidents/{incident_id}/meetings")
    assert "No initial review meeting recorded." in page.text and "No child's account recorded." in page.text
    offered = re.findall(r'<option value="([0-9a-f-]+)"', form_of(page.text, "form-child-account"))
    assert offered == [child_id]  # an account is a child's: the adult is not offered

    no_dsl = await browser.post(f"/console/forms/initial-review/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(page.text), "held_at": "2026-12-01T11:00", "attendees.0.name": "A Teacher",
        "attendees.0.role": "staff_member", "decided": "Too short",
    })
    assert no_dsl.status_code == 422
    attendees = re.search(r'<div class="form-group form-group-error" id="f-initial-review-attendees">.*?</fieldset>', no_dsl.text, re.S).group(0)
    assert "S-INITIAL-REVIEW</strong>: The initial review meeting is the DSL" in attendees
    decided = re.search(r'<label class="label" for="f-initial-review-decided">.*?</textarea>', no_dsl.text, re.S).group(0)
    assert "S-INITIAL-REVIEW</strong>: Record what the initial review meeting decided." in decided
    held = await browser.post(f"/console/forms/initial-review/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(page.text), "held_at": "2026-12-01T11:00", "attendees.0.name": "J Smith", "attendees.0.role": "dsl",
        "attendees.1.name": "M Jones", "attendees.1.role": "headteacher", "decided": "Speak to both pupils today; parents to be told.",
    })
    assert held.status_code == 303 and held.headers["location"].endswith("/meetings?done=initial-review")

    adults = await browser.post(f"/console/forms/child-account/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(page.text), "person_id": adult_id, "given_at": "2026-12-01T12:00", "given": "in_person",
        "heard_by": "J Smith, DSL", "account": "Said it was a joke.",
    })
    assert adults.status_code == 422
    assert re.search(r'S-CHILD-VOICE</strong>: A child&#39;s account is given by a child', form_of(adults.text, "form-child-account"))
    heard = await browser.post(f"/console/forms/child-account/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(page.text), "person_id": child_id, "given_at": "2026-12-01T12:00", "given": "in_person",
        "heard_by": "J Smith, DSL", "wishes": "I want it taken down and I do not want my dad told yet.",
    })
    assert heard.status_code == 303
    shown = await browser.get(heard.headers["location"])
    assert "The child&#39;s account has been recorded." in shown.text
    assert "J Smith (DSL), M Jones (Headteacher)" in shown.text
    assert "I want it taken down and I do not want my dad told yet." in shown.text and "Robin" in shown.text


async def test_the_audit_log_is_paged_for_the_roles_the_policy_allows(browser, urn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "AUDIT_PAGE_SIZE", 2)
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    for _ in range(2):
        await browser.get(f"/console/incidents/{incident_id}")
    first = await browser.get(f"/console/incidents/{incident_id}/audit")
    assert first.status_code == 200
    assert len(re.findall(r"<tr><td>", first.text)) == 2 and "incident.create" in first.text
    later = re.search(r'href="(/console/incidents/[0-9a-f-]+/audit\?[^"]*cursor=[^"]+)">Later entries', first.text).group(1)
    second = await browser.get(unescape(later))
    assert second.status_code == 200 and "incident.read" in second.text and "First entries" in second.text
    refusals = await browser.get(f"/console/incidents/{incident_id}/audit", params={"outcome": "refused"})
    outcomes = re.findall(r"<td>(Allowed|Refused)", refusals.text)
    assert outcomes and set(outcomes) == {"Refused"} and "get_decision" in refusals.text  # no decision yet: a 404, audited

    await sign_in(browser, "deputy_dsl", urn)
    summary = await browser.get(f"/console/incidents/{incident_id}")
    assert "Audit log" not in summary.text  # GET /audit is the DSL's and the headteacher's (POLICY)
    refused = await browser.get(f"/console/incidents/{incident_id}/audit")
    assert refused.status_code == 403 and "Your role cannot see this page" in refused.text

    await sign_in(browser, "headteacher", urn)
    assert (await browser.get(f"/console/incidents/{incident_id}/audit")).status_code == 200


async def test_the_incident_list_finds_an_incident_by_its_reference(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    wanted = await open_incident(browser)
    await open_incident(browser)
    summary = await browser.get(f"/console/incidents/{wanted}")
    reference = re.search(rf"Incident ({urn}-\d{{4}}-\d{{4}})", summary.text).group(1)
    found = await browser.get("/console/incidents", params={"reference": f" {reference} "})
    assert re.findall(r'href="/console/incidents/([0-9a-f-]+)"', found.text) == [wanted]
    none = await browser.get("/console/incidents", params={"reference": reference[:-1]})
    assert "No incidents match." in none.text
    too_long = await browser.get("/console/incidents", params={"reference": reference + "-and-more-text"})
    assert too_long.status_code == 200 and 'id="f-reference-error"' in too_long.text and "No incidents match." in too_long.text
