"""Keys rotate without a restart (issue 14): tokens are checked by `kid` against the issuer's key set,
read from a file in development and fetched from the issuer's URL in production. A key added is used on
the next request, a key withdrawn stops opening the services, and no token of a key in the set is refused
while the set changes under load."""
from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from jose import jwt

from services.police_api.app import create_app as create_police_app
from services.school_api.app import create_app as create_school_app
from shared.clock import Clock
from shared.jwks import JwksUrl, KeySetUnavailable, jwks_document, key_id, write_jwks_file
from shared.tokens import TokenIssuer, generate_private_key_pem
from tests.conftest import police_settings, school_settings
from tests.support import POLICE_IDP, SCHOOL_IDP, Keys, ThrowAwayDatabase, bearer, fresh_urn

UNKNOWN_KEY = "/problems/unknown-signing-key"


def _school_token(private: bytes, urn: str, clock: Clock, subject: str = "dsl-rotation") -> str:
    return TokenIssuer(SCHOOL_IDP, private.decode()).issue(
        subject=subject, audience="school-api", now=clock.now(), lifetime=timedelta(hours=1),
        claims={"role": "dsl", "school_urn": urn},
    )


@pytest.fixture
async def rotating_school(
    keys: Keys, school_db: ThrowAwayDatabase, workdir: Path, clock: Clock, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """A school app of its own whose identity provider's key set is a file the test rewrites."""
    key_set = tmp_path / "school-idp.jwks.json"
    write_jwks_file(key_set, [])
    app = create_school_app(school_settings(keys, school_db.url, workdir, idp_jwks_file=key_set), clock=clock)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://school-api") as client:
            yield client, key_set


async def test_a_key_rotates_while_requests_flow_and_no_valid_token_is_refused(
    rotating_school: tuple[httpx.AsyncClient, Path], clock: Clock
) -> None:
    client, key_set = rotating_school
    urn = fresh_urn()
    key_a, key_b = generate_private_key_pem(), generate_private_key_pem()
    write_jwks_file(key_set, [key_a])
    early_b = await client.get("/incidents", headers=bearer(_school_token(key_b, urn, clock)))
    assert early_b.status_code == 401 and early_b.json()["type"] == UNKNOWN_KEY, "B is not published yet"

    signing_with = {"keys": [key_a]}
    answers: Counter[tuple[str, int]] = Counter()
    in_flight: Counter[str] = Counter()
    stop = asyncio.Event()
    # Half the calls repeat one token per worker and key (the verified-token cache), half mint a new one.
    kept = {
        (number, key): _school_token(key, urn, clock, f"dsl-{number}") for number in range(6) for key in (key_a, key_b)
    }

    async def worker(number: int) -> None:
        turn = 0
        while not stop.is_set():
            key = signing_with["keys"][turn % len(signing_with["keys"])]
            token = kept[(number, key)] if turn % 2 else _school_token(key, urn, clock, f"dsl-{number}-{turn}")
            name = "A" if key is key_a else "B"
            in_flight[name] += 1
            try:
                response = await client.get("/incidents", headers=bearer(token))
            finally:
                in_flight[name] -= 1
            answers[(name, response.status_code)] += 1
            turn += 1

    async def until(condition: Any) -> None:
        for _ in range(2000):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"requests stalled: {dict(answers)}")

    workers = [asyncio.create_task(worker(number)) for number in range(6)]
    try:
        await until(lambda: answers[("A", 200)] >= 30)
        # B is published beside A while A's requests are in flight, and signing starts with both.
        write_jwks_file(key_set, [key_a, key_b])
        signing_with["keys"] = [key_a, key_b]
        await until(lambda: answers[("B", 200)] >= 30)
        a_while_both = answers[("A", 200)]
        await until(lambda: answers[("A", 200)] >= a_while_both + 30)
        # A is withdrawn only once nothing signs with it and none of its requests is still in flight.
        signing_with["keys"] = [key_b]
        await until(lambda: in_flight["A"] == 0)
        write_jwks_file(key_set, [key_b])
        b_before = answers[("B", 200)]
        await until(lambda: answers[("B", 200)] >= b_before + 30)
    finally:
        stop.set()
        await asyncio.gather(*workers)

    refused = {outcome: count for outcome, count in answers.items() if outcome[1] != 200}
    assert refused == {}, f"tokens of a key in the set were refused: {refused}"
    print(f"\nkey rotation under load: {dict(answers)}")
    for token in (kept[(0, key_a)], _school_token(key_a, urn, clock, "dsl-late")):
        response = await client.get("/incidents", headers=bearer(token))
        assert response.status_code == 401 and response.json()["type"] == UNKNOWN_KEY, "a withdrawn key still opens the API"


async def test_a_token_without_a_kid_is_refused(rotating_school: tuple[httpx.AsyncClient, Path], clock: Clock) -> None:
    client, key_set = rotating_school
    key = generate_private_key_pem()
    write_jwks_file(key_set, [key])
    claims = jwt.get_unverified_claims(_school_token(key, fresh_urn(), clock))
    response = await client.get("/incidents", headers=bearer(jwt.encode(claims, key.decode(), algorithm="ES256")))
    assert response.status_code == 401 and response.json()["type"] == UNKNOWN_KEY
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_key_set_file_caught_half_written_keeps_the_last_good_set(
    rotating_school: tuple[httpx.AsyncClient, Path], clock: Clock
) -> None:
    client, key_set = rotating_school
    key = generate_private_key_pem()
    write_jwks_file(key_set, [key])
    token = _school_token(key, fresh_urn(), clock)
    assert (await client.get("/incidents", headers=bearer(token))).status_code == 200
    key_set.write_text('{"keys": [{"kty": "EC", "crv": "P-')
    assert (await client.get("/incidents", headers=bearer(_school_token(key, fresh_urn(), clock)))).status_code == 200


# ----- the police service's own school-client tokens -----


async def test_the_police_publish_the_key_that_signs_school_client_tokens_and_its_kid_is_in_them(
    police: httpx.AsyncClient, keys: Keys, police_app: Any, registered_school: str, school_app: Any
) -> None:
    published = await police.get("/.well-known/jwks.json")
    assert published.status_code == 200
    (jwk,) = published.json()["keys"]
    assert jwk["kid"] == key_id(keys.path("police-signing.pem").read_text()) and "d" not in jwk
    credentials = school_app.state.relay.police.credentials[registered_school]
    issued = await police.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": credentials.client_secret},
    )
    token = issued.json()["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == jwk["kid"]
    status = await police.get("/reports/00000000-0000-4000-8000-000000000000/status", headers=bearer(token))
    assert status.status_code == 404, status.text  # through authentication: the report simply does not exist


async def test_a_school_client_token_naming_another_kid_is_refused(police: httpx.AsyncClient, keys: Keys, clock: Clock) -> None:
    signer = TokenIssuer("police-api", keys.path("police-signing.pem").read_text(), key_id="police-api-1")
    token = signer.issue(
        subject="school-1", audience="police-api", now=clock.now(), lifetime=timedelta(minutes=5),
        claims={"role": "school_client", "force_code": "52", "school_urn": "100001"},
    )
    response = await police.get("/reports/00000000-0000-4000-8000-000000000000/status", headers=bearer(token))
    assert response.status_code == 401 and response.json()["type"] == UNKNOWN_KEY


# ----- the key set fetched from the issuer's URL -----


class _Issuer:
    """An identity provider's JWKS endpoint as httpx sees it; counts the fetches."""

    def __init__(self, keys: list[bytes]) -> None:
        self.keys = keys
        self.fetches = 0
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.down:
            return httpx.Response(503)
        return httpx.Response(200, json=jwks_document(self.keys))


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _url_source(issuer: _Issuer, clock: _Clock) -> JwksUrl:
    http = httpx.AsyncClient(transport=httpx.MockTransport(issuer.handler))
    return JwksUrl("https://idp.example/jwks", http, cache_seconds=300, min_refresh_seconds=30, monotonic=clock)


async def test_a_flood_of_unknown_kids_fetches_the_issuers_key_set_once_per_interval() -> None:
    key_a, key_b = generate_private_key_pem(), generate_private_key_pem()
    issuer, clock = _Issuer([key_a]), _Clock()
    source = _url_source(issuer, clock)
    assert await source.find(key_id(key_a)) is not None and issuer.fetches == 1
    results = await asyncio.gather(*(source.find(f"forged-{n}") for n in range(500)))
    assert results == [None] * 500 and issuer.fetches == 1, "an unknown kid within the interval fetched again"
    issuer.keys = [key_a, key_b]
    clock.now += 31
    found = await asyncio.gather(*(source.find(key_id(key_b)) for _ in range(50)))
    assert all(key is not None for key in found) and issuer.fetches == 2, "one fetch for the new key, however many asked"


async def test_a_withdrawn_key_is_gone_once_the_cache_expires_and_an_unreachable_issuer_keeps_the_last_set() -> None:
    key_a, key_b = generate_private_key_pem(), generate_private_key_pem()
    issuer, clock = _Issuer([key_a, key_b]), _Clock()
    source = _url_source(issuer, clock)
    assert await source.find(key_id(key_a)) is not None
    issuer.keys = [key_b]
    clock.now += 301
    assert await source.find(key_id(key_a)) is None
    issuer.down = True
    clock.now += 301
    assert await source.find(key_id(key_b)) is not None, "the last good set serves while the issuer is down"


async def test_no_key_set_fetched_yet_is_unavailable_not_a_refusal() -> None:
    issuer, clock = _Issuer([]), _Clock()
    issuer.down = True
    with pytest.raises(KeySetUnavailable):
        await _url_source(issuer, clock).find("any")


class _PublishedKeys(BaseHTTPRequestHandler):
    document: dict[str, Any] = {"keys": []}
    up = True

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.dumps(type(self).document).encode()
        self.send_response(200 if type(self).up else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def idp_server() -> Iterator[tuple[str, type[_PublishedKeys]]]:
    """A real HTTP server on a free loopback port, publishing the police identity provider's key set."""
    handler = type("Published", (_PublishedKeys,), {"document": {"keys": []}, "up": True})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _officer_token(private: bytes, clock: Clock) -> str:
    return TokenIssuer(POLICE_IDP, private.decode()).issue(
        subject="officer-rotation", audience="police-api", now=clock.now(), lifetime=timedelta(hours=1),
        claims={"role": "supervisor", "force_code": "52"},
    )


async def test_the_police_api_follows_the_key_set_published_at_the_issuers_url(
    idp_server: tuple[str, type[_PublishedKeys]], keys: Keys, police_db: ThrowAwayDatabase, clock: Clock
) -> None:
    url, published = idp_server
    key_a, key_b = generate_private_key_pem(), generate_private_key_pem()
    published.document = jwks_document([key_a])
    settings = police_settings(keys, police_db.url, idp_jwks_url=url, idp_jwks_min_refresh_seconds=0)
    app = create_police_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://police-api") as police:
            assert (await police.get("/incidents", headers=bearer(_officer_token(key_a, clock)))).status_code == 200
            published.document = jwks_document([key_a, key_b])
            assert (await police.get("/incidents", headers=bearer(_officer_token(key_b, clock)))).status_code == 200
            unknown = await police.get("/incidents", headers=bearer(_officer_token(generate_private_key_pem(), clock)))
            assert unknown.status_code == 401 and unknown.json()["type"] == UNKNOWN_KEY


async def test_an_issuer_unreachable_since_start_up_answers_503_with_retry_after(
    idp_server: tuple[str, type[_PublishedKeys]], keys: Keys, police_db: ThrowAwayDatabase, clock: Clock
) -> None:
    url, published = idp_server
    published.up = False
    app = create_police_app(police_settings(keys, police_db.url, idp_jwks_url=url), clock=clock)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://police-api") as police:
            response = await police.get("/incidents", headers=bearer(_officer_token(generate_private_key_pem(), clock)))
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert response.json()["type"] == "/problems/service-unavailable"
