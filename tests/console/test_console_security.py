"""Issue 13, safety of the consoles, through real HTTP into the school app on the real database:
sessions, CSRF, sign-in (development and OpenID Connect with PKCE), headers, audit of page views."""
from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.school_api.app import create_app as create_school_app
from services.school_api.console.spec import SPEC
from services.school_api.console.models import RECORDS
from services.school_api.database import AuditEntry
from shared.clock import Clock
from shared.console.web import CSP, Console
from shared.tenancy import ALL_TENANTS
from tests.conftest import school_settings
from tests.console.support import CLIENT_ID, REDIRECT_URI, FakeIssuer, csrf_of, open_incident, sign_in
from tests.support import Keys, ThrowAwayDatabase


@pytest.fixture(scope="module")
async def console_app(keys: Keys, school_db: ThrowAwayDatabase, workdir: Path, clock: Clock, issuer: FakeIssuer) -> AsyncIterator[FastAPI]:
    settings = school_settings(
        keys, school_db.url, workdir, console_dev_signing_key_file=keys.path("school-idp.pem"),
        oidc_authorization_endpoint=f"{issuer.url}/authorize", oidc_token_endpoint=f"{issuer.url}/token",
        oidc_client_id=CLIENT_ID, oidc_redirect_uri=REDIRECT_URI,
    )
    app = create_school_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(console_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client, as a browser is."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console_app), base_url="http://school-api") as client:
        yield client


async def test_pages_of_records_are_no_store_under_a_strict_csp_with_no_inline_script_or_file_input(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    for path in ("/console/incidents", "/console/incidents/new", f"/console/incidents/{incident_id}",
                 f"/console/incidents/{incident_id}/people", f"/console/incidents/{incident_id}/devices",
                 f"/console/incidents/{incident_id}/searches", f"/console/incidents/{incident_id}/assessment",
                 f"/console/incidents/{incident_id}/decision", f"/console/incidents/{incident_id}/chronology"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["content-security-policy"] == CSP
        assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, path
        assert re.search(r"\son[a-z]+=", page.text) is None and ' style="' not in page.text, path
        assert 'type="file"' not in page.text and "multipart" not in page.text, path


async def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    answer = await browser.post("/console/forms/new-incident", data={
        "csrf_token": "forged", "disclosed_at": "2026-12-01T09:30", "disclosure_source": "pupil_about_self",
    })
    assert answer.status_code == 403
    listing = await browser.get("/console/incidents")
    assert "No incidents match." in listing.text


async def test_signing_out_ends_the_session_on_the_server(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    cookie = browser.cookies.get("school_api_console_session")
    page = await browser.get("/console/incidents")
    assert (await browser.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)})).status_code == 303
    browser.cookies.set("school_api_console_session", cookie, path="/console")
    assert (await browser.get("/console/incidents")).headers["location"] == "/console/sign-in"


async def test_a_session_ends_after_thirty_minutes_without_a_request(browser, urn, moved_clock: Clock) -> None:
    await sign_in(browser, "dsl", urn)
    assert (await browser.get("/console/incidents")).status_code == 200
    moved_clock.advance(timedelta(minutes=31))
    assert (await browser.get("/console/incidents")).headers["location"] == "/console/sign-in"


async def test_the_session_cookie_is_http_only_and_same_site_strict(console_app, urn) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console_app), base_url="http://school-api") as client:
        page = await client.get("/console/sign-in")
        answer = await client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": "dsl", "tenant": urn})
    cookie = [v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("school_api_console_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie


async def test_development_sign_in_does_not_exist_in_production(keys: Keys, school_db: ThrowAwayDatabase, workdir: Path) -> None:
    settings = school_settings(keys, school_db.url, workdir).model_copy(update={"environment": "production"})
    app = FastAPI()
    Console(SPEC, settings, RECORDS).install(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://school-api") as client:
        page = await client.get("/console/sign-in")
        assert "Development sign-in" not in page.text and "Development only" not in page.text
        assert "Sign-in is not configured" in page.text
        refused = await client.post("/console/sign-in", data={"role": "dsl", "tenant": "100001"})
        assert refused.status_code == 404


async def test_production_sign_in_is_the_authorization_code_flow_with_pkce(browser, issuer: FakeIssuer, urn) -> None:
    start = await browser.get("/console/sign-in/oidc")
    assert start.status_code == 303
    authorize = start.headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlparse(authorize).query).items()}
    assert authorize.startswith(f"{issuer.url}/authorize?")
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["client_id"] == CLIENT_ID and query["redirect_uri"] == REDIRECT_URI and query["state"] and query["nonce"]
    code = issuer.grant(authorize, urn)

    forged_state = await browser.get("/console/oidc/callback", params={"code": code, "state": "not-the-state"})
    assert forged_state.status_code == 400

    start = await browser.get("/console/sign-in/oidc")
    authorize = start.headers["location"]
    state = parse_qs(urlparse(authorize).query)["state"][0]
    back = await browser.get("/console/oidc/callback", params={"code": issuer.grant(authorize, urn), "state": state})
    assert back.status_code == 200 and "You are signed in" in back.text
    listing = await browser.get("/console/incidents")
    assert listing.status_code == 200 and f"School URN {urn}" in listing.text


async def test_a_code_exchanged_without_the_matching_verifier_signs_no_one_in(browser, issuer: FakeIssuer, urn) -> None:
    start = await browser.get("/console/sign-in/oidc")
    authorize = start.headers["location"]
    state = parse_qs(urlparse(authorize).query)["state"][0]
    code = uuid.uuid4().hex
    issuer.codes[code] = {"challenge": "a-challenge-of-another-sign-in", "urn": urn}
    back = await browser.get("/console/oidc/callback", params={"code": code, "state": state})
    assert back.status_code == 502 and "refused the sign-in" in back.text
    assert (await browser.get("/console/incidents")).headers["location"] == "/console/sign-in"


async def test_every_page_view_is_audited_as_the_api_read_it_shows(browser, console_app, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    await browser.get(f"/console/incidents/{incident_id}")
    async with console_app.state.runtime.session(ALL_TENANTS) as session:
        rows = (await session.scalars(select(AuditEntry).where(AuditEntry.record_id == incident_id))).all()
    reads = [row for row in rows if row.operation == "incident.read"]
    assert reads and all(row.role == "dsl" and row.tenant == urn for row in reads)


async def test_no_childs_name_appears_in_a_url_or_a_page_title(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    page = await browser.get(f"/console/incidents/{incident_id}/people")
    answer = await browser.post(f"/console/forms/add-person/incident_id/{incident_id}", data={
        "csrf_token": csrf_of(page.text), "given_name": "Marigold", "family_name": "Quill", "kind": "pupil",
        "roles": "pictured", "age_years": "14",
    })
    assert answer.status_code == 303 and "Marigold" not in answer.headers["location"]
    for part in ("", "/people", "/devices", "/searches", "/chronology"):
        page = await browser.get(f"/console/incidents/{incident_id}{part}")
        title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
        assert "Marigold" not in title and "Quill" not in title
        assert not re.search(r'(href|action)="[^"]*(Marigold|Quill)', page.text)
    assert "Marigold Quill" in (await browser.get(f"/console/incidents/{incident_id}/people")).text


async def test_the_assessment_preview_gives_the_rules_recommendation_as_you_tick(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    incident_id = await open_incident(browser)
    page = await browser.get(f"/console/incidents/{incident_id}/assessment")
    preview = await browser.post(f"/console/incidents/{incident_id}/assessment/preview", data={
        "csrf_token": csrf_of(page.text), "immediate.adult_involved": "yes", "typology": "experimental_romantic",
    })
    body = preview.json()
    assert body["recommendation"] == "Refer to the police immediately"
    assert body["rule_ids"] == ["S-IMMEDIATE", "S-POLICE"]
    assert {"rule": "S-TYPOLOGY", "message": "An adult is involved: the typology is 'aggravated_adult_involved'."} in body["violations"]
    assert all(entry["text"] for entry in body["guidance"])


async def test_the_upn_check_applies_the_check_letter_rule(browser, urn) -> None:
    await sign_in(browser, "dsl", urn)
    csrf = csrf_of((await browser.get("/console/incidents")).text)
    valid = (await browser.post("/console/upn-check", data={"csrf_token": csrf, "upn": "B801200005001"})).json()
    mistyped = (await browser.post("/console/upn-check", data={"csrf_token": csrf, "upn": "A801200005001"})).json()
    assert valid["valid"] is True and mistyped["valid"] is False


async def test_staff_open_an_incident_and_see_only_its_reference(browser, urn) -> None:
    await sign_in(browser, "staff", urn)
    assert (await browser.get("/console/incidents")).headers["location"] == "/console/incidents/new"
    page = await browser.get("/console/incidents/new")
    answer = await browser.post("/console/forms/new-incident", data={
        "csrf_token": csrf_of(page.text), "disclosed_at": "2026-12-01T09:30", "disclosure_source": "peer",
        "narrative": "A pupil told me about a picture.",
    })
    assert answer.status_code == 200 and "The incident is recorded and the DSL has been told." in answer.text
    assert "A pupil told me" not in answer.text
