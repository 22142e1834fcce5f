"""Hostile input (issue 6; OWASP API4, API8): size limits before parsing, malformed and hostile
bodies without a 5xx, text stored exactly as given, the token endpoint's failure limit and secret
storage, and the security headers on every response."""
from __future__ import annotations

import hmac
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from services.police_api.clients import secrets as client_secrets
from services.police_api.clients.models import SchoolClient
from services.police_api.clients.service import register_school_client
from shared.tenancy import ALL_TENANTS
from tests.security.support import POLICE, SCHOOL, Tenant, World, report_body
from tests.support import fresh_urn

HOSTILE_TEXTS = [
    "Robert'); DROP TABLE incidents;--",
    "' OR '1'='1' -- ",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "line one\r\nline two\ttabbed\u000b\u000c\u001b[31m",
    "\u202eevil right-to-left override\u202c and zero\u200bwidth",
    "emoji 🧒📱 and combining e\u0301",
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "\\x00 literally, not a NUL",
]


async def _dsl_incident(world: World, tenant: Tenant, narrative: str) -> Any:
    return await world.school.post(
        "/incidents",
        json={"disclosed_at": "2026-11-02T09:00:00Z", "disclosure_source": "peer", "narrative": narrative},
        headers=world.headers(SCHOOL, "dsl", tenant),
    )


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
async def test_hostile_text_is_stored_and_returned_exactly_as_given(world: World, own_school: Tenant, text: str) -> None:
    created = await _dsl_incident(world, own_school, text)
    assert created.status_code == 201, created.text
    read = await world.school.get(f"/incidents/{created.json()['id']}", headers=world.headers(SCHOOL, "dsl", own_school))
    assert read.status_code == 200 and read.json()["narrative"] == text
    assert read.headers["content-type"].startswith("application/json")


async def test_hostile_text_in_a_report_to_the_police_is_kept_exactly(world: World, own_school: Tenant) -> None:
    reasons = " | ".join(HOSTILE_TEXTS)
    receipt = await world.police.post(
        "/reports",
        json=report_body(referral_reasons=reasons),
        headers={**world.headers(POLICE, "school_client", own_school), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert receipt.status_code == 201, receipt.text
    from services.police_api.reports.models import SchoolReport

    async with world.police_app.state.runtime.session(ALL_TENANTS) as session:
        stored = await session.scalar(select(SchoolReport.content).where(SchoolReport.id == uuid.UUID(receipt.json()["id"])))
    assert stored["referral_reasons"] == reasons


@pytest.mark.parametrize("service", [SCHOOL, POLICE])
async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_parsed_or_authenticated(world: World, service: str) -> None:
    limit = world.app(service).state.settings.max_body_bytes
    path = "/incidents" if service == SCHOOL else "/reports"
    # Not JSON at all, and no token: the size is what is refused first.
    response = await world.client(service).post(path, content=b"{" * (limit + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_streamed_body_without_content_length_is_cut_at_the_limit(world: World) -> None:
    limit = world.school_app.state.settings.max_body_bytes

    async def chunks() -> Any:
        for _ in range(limit // 1024 + 2):
            yield b" " * 1024

    response = await world.school.post("/incidents", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body, status",
    [
        (b"[" * 100_000 + b"]" * 100_000, (400, 413, 422)),
        (b'{"disclosed_at": "\xff\xfe"}', (400,)),
        (b'{"disclosed_at": "2026-11-02T09:00:00Z", "disclosure_source": "peer", "narrative": "a\\u0000b"}', (422,)),
        (b'{"disclosed_at": "2026-11-02T09:00:00Z", "disclosure_source": "peer", "narrative": "\\ud800"}', (422,)),
        (b'{"disclosed_at": "2026-11-02T09:00:00Z", "disclosure_source": "peer", "status": "closed"}', (422,)),
        (b'{"disclosed_at": "2026-11-02T09:00:00Z",', (400,)),
        (b"null", (422,)),
        (b'"just a string"', (422,)),
    ],
    ids=["deeply nested", "invalid utf-8", "NUL character", "unpaired surrogate", "server-owned field", "truncated", "null", "string"],
)
async def test_malformed_and_hostile_bodies_are_refused_without_a_server_error(
    world: World, own_school: Tenant, body: bytes, status: tuple[int, ...]
) -> None:
    response = await world.school.post(
        "/incidents", content=body, headers={**world.headers(SCHOOL, "dsl", own_school), "content-type": "application/json"}
    )
    assert response.status_code in status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_huge_string_under_the_body_limit_is_refused_by_its_max_length(world: World, own_school: Tenant) -> None:
    response = await _dsl_incident(world, own_school, "A" * 60_000)
    assert response.status_code in (413, 422), response.text
    assert "AAAA" not in response.text


async def test_sql_in_a_path_or_query_is_just_a_bad_id(world: World, own_school: Tenant) -> None:
    dsl = world.headers(SCHOOL, "dsl", own_school)
    assert (await world.school.get("/incidents/1%27%20OR%20%271%27=%271", headers=dsl)).status_code == 422
    listed = await world.school.get("/incidents", params={"status": "open' OR 1=1 --"}, headers=dsl)
    assert listed.status_code == 422


# --- The token endpoint -------------------------------------------------------------------


async def _registered(world: World) -> tuple[str, str]:
    runtime = world.police_app.state.runtime
    client_id = f"sec-{uuid.uuid4().hex[:8]}"
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(
            session, client_id=client_id, school_urn=fresh_urn(), force_code="53", now=runtime.clock.now()
        )
        await session.commit()
    return client_id, secret


async def test_failed_client_credentials_are_limited_with_429_and_retry_after(world: World) -> None:
    client_id, secret = await _registered(world)
    limit = world.police_app.state.settings.token_failure_limit
    form = {"grant_type": "client_credentials", "client_id": client_id}
    for _ in range(limit):
        wrong = await world.police.post("/oauth/token", data={**form, "client_secret": "wrong"})
        assert wrong.status_code == 401
    limited = await world.police.post("/oauth/token", data={**form, "client_secret": secret})
    assert limited.status_code == 429, "even the right secret waits once the limit is reached"
    assert int(limited.headers["Retry-After"]) >= 1


async def test_a_stranger_guessing_a_school_client_id_cannot_lock_the_school_out(world: World) -> None:
    """Failures count per client id and source address: the school's relay elsewhere still gets its token."""
    import httpx

    client_id, secret = await _registered(world)
    limit = world.police_app.state.settings.token_failure_limit
    form = {"grant_type": "client_credentials", "client_id": client_id}
    stranger = httpx.ASGITransport(app=world.police_app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=stranger, base_url="http://police-api") as guessing:
        for _ in range(limit + 1):
            await guessing.post("/oauth/token", data={**form, "client_secret": "guess"})
        assert (await guessing.post("/oauth/token", data={**form, "client_secret": secret})).status_code == 429
    school_relay = await world.police.post("/oauth/token", data={**form, "client_secret": secret})
    assert school_relay.status_code == 200


async def test_client_secrets_are_stored_as_salted_hashes_never_in_clear(world: World) -> None:
    client_id, secret = await _registered(world)
    async with world.police_app.state.runtime.session(ALL_TENANTS) as session:
        stored = await session.scalar(select(SchoolClient.secret_hash).where(SchoolClient.client_id == client_id))
    assert secret not in stored and stored.startswith("scrypt$")
    assert client_secrets.hash_secret(secret) != stored, "a fresh salt every time"
    ok = await world.police.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer"


async def test_secrets_are_compared_in_constant_time_and_unknown_clients_cost_a_hash_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[int] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append(1)
        return real(a, b)

    monkeypatch.setattr(client_secrets.hmac, "compare_digest", spy)
    client_id, _ = await _registered(world)
    await world.police.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"})
    await world.police.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": f"nobody-{uuid.uuid4().hex}", "client_secret": "x"}
    )
    assert len(compared) == 2, "both the known and the unknown client go through hmac.compare_digest"


# --- Security headers ---------------------------------------------------------------------


@pytest.mark.parametrize("service", [SCHOOL, POLICE])
async def test_every_kind_of_response_carries_the_security_headers(world: World, own_school: Tenant, service: str) -> None:
    client = world.client(service)
    role = "dsl" if service == SCHOOL else "supervisor"
    responses = [
        await client.get("/incidents", headers=world.headers(service, role, own_school)),  # 200
        await client.get("/incidents"),  # 401
        await client.get(f"/incidents/{uuid.uuid4()}", headers=world.headers(service, role, own_school)),  # 404
        await client.post("/incidents", content=b"x" * 10, headers={"content-type": "text/plain"}),  # 415 or 401
        await client.get("/nowhere"),  # unmatched
        await client.get("/healthz"),
    ]
    for response in responses:
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"


async def test_the_printable_chronology_page_has_a_restrictive_csp(world: World, own_school: Tenant) -> None:
    incident_id = (await world.records(SCHOOL, own_school))["incident_id"]
    page = await world.school.get(f"/incidents/{incident_id}/chronology/print", headers=world.headers(SCHOOL, "dsl", own_school))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp.replace("script-src 'none'", "")
    assert page.headers["cache-control"] == "no-store"
