"""Negative token tests (issue 2, acceptance 3): each forged, expired or misdirected token gets 401."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from jose import jwt

from shared.jwks import JwksFile, key_id
from shared.tokens import InvalidToken, TokenVerifier, TrustedIssuer
from tests.support import SCHOOL_IDP, Keys, Tokens, bearer

PROTECTED = "/incidents"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(tokens: Tokens, **changes: object) -> dict:
    now = int(tokens.clock.now().timestamp())
    claims = {
        "iss": SCHOOL_IDP,
        "sub": "dsl-1",
        "aud": "school-api",
        "iat": now,
        "exp": now + 600,
        "token_use": "access",
        "role": "dsl",
        "school_urn": "100001",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _sign(keys: Keys, claims: dict) -> str:
    private = keys.path("school-idp.pem").read_text()
    return jwt.encode(claims, private, algorithm="ES256", headers={"kid": key_id(private)})


async def _status(school: httpx.AsyncClient, token: str) -> httpx.Response:
    return await school.get(PROTECTED, headers=bearer(token))


async def test_a_valid_token_is_accepted(school: httpx.AsyncClient, keys: Keys, tokens: Tokens) -> None:
    assert (await _status(school, _sign(keys, _claims(tokens)))).status_code == 200


@pytest.mark.parametrize(
    "case, changes",
    [
        ("expired", {"exp": -3600, "iat": -7200}),
        ("wrong audience: the police API's", {"aud": "police-api"}),
        ("audience list naming both services", {"aud": ["school-api", "police-api"]}),
        ("wrong issuer", {"iss": "someone-else"}),
        ("missing exp", {"exp": None}),
        ("missing aud", {"aud": None}),
        ("missing iat", {"iat": None}),
        ("missing sub", {"sub": None}),
        ("missing iss", {"iss": None}),
        ("wrong token type", {"token_use": "id"}),
        ("missing token type", {"token_use": None}),
        ("unknown role", {"role": "caretaker"}),
        ("police role at the school API", {"role": "supervisor"}),
        ("missing school", {"school_urn": None}),
    ],
)
async def test_token_is_refused(school: httpx.AsyncClient, keys: Keys, tokens: Tokens, case: str, changes: dict) -> None:
    now = int(tokens.clock.now().timestamp())
    relative = {key: now + value if key in ("exp", "iat") and isinstance(value, int) else value for key, value in changes.items()}
    response = await _status(school, _sign(keys, _claims(tokens, **relative)))
    assert response.status_code == 401, case
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/unauthenticated"


async def test_alg_none_is_refused(school: httpx.AsyncClient, tokens: Tokens) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(tokens))}."
    assert (await _status(school, token)).status_code == 401


@pytest.mark.parametrize("encoding", ["pem", "der"])
async def test_hs256_signed_with_the_public_key_is_refused(
    school: httpx.AsyncClient, keys: Keys, tokens: Tokens, encoding: str
) -> None:
    public_pem = keys.path("school-idp.public.pem").read_bytes()
    secret = public_pem
    if encoding == "der":
        secret = serialization.load_pem_public_key(public_pem).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(_claims(tokens))}"
    signature = base64.urlsafe_b64encode(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    assert (await _status(school, f"{signing_input}.{signature}")).status_code == 401


async def test_tampered_payload_is_refused(school: httpx.AsyncClient, keys: Keys, tokens: Tokens) -> None:
    header, _, signature = _sign(keys, _claims(tokens, role="staff")).split(".")
    forged = f"{header}.{_b64(_claims(tokens, role='dsl'))}.{signature}"
    assert (await _status(school, forged)).status_code == 401


async def test_token_signed_by_another_key_is_refused(school: httpx.AsyncClient, keys: Keys, tokens: Tokens) -> None:
    # It even names the school key's kid: the signature, not the kid, is what is trusted.
    school_kid = key_id(keys.path("school-idp.pem").read_text())
    other = jwt.encode(_claims(tokens), keys.path("police-idp.pem").read_text(), algorithm="ES256", headers={"kid": school_kid})
    assert (await _status(school, other)).status_code == 401


async def test_missing_or_malformed_credentials_get_401(school: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not.a.jwt"}):
        response = await school.get(PROTECTED, headers=headers)
        assert response.status_code == 401
        assert "WWW-Authenticate" in response.headers


async def test_school_token_never_opens_the_police_api(police: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await police.get("/incidents", headers=bearer(tokens.school("dsl", "100001")))
    assert response.status_code == 401


async def test_police_token_never_opens_the_school_api(school: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await school.get(PROTECTED, headers=bearer(tokens.police("supervisor", "52")))
    assert response.status_code == 401


async def test_police_officer_token_cannot_claim_the_school_client_role(police: httpx.AsyncClient, tokens: Tokens) -> None:
    forged = tokens.police("school_client", "52", school_urn="100001")
    assert (await police.get("/incidents", headers=bearer(forged))).status_code == 401


async def test_expired_beyond_leeway_only(school: httpx.AsyncClient, keys: Keys, tokens: Tokens) -> None:
    now = int(tokens.clock.now().timestamp())
    just_expired = _sign(keys, _claims(tokens, exp=now - 5, iat=now - 600))
    long_expired = _sign(keys, _claims(tokens, exp=now - int(timedelta(minutes=5).total_seconds()), iat=now - 900))
    assert (await _status(school, just_expired)).status_code == 200  # within the 30 s clock-skew leeway
    assert (await _status(school, long_expired)).status_code == 401



# ----- the cache of verified tokens: a shortcut that never outlives a token or widens what is accepted -----

class _WallClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _verifier(keys: Keys, clock: _WallClock, **options: object) -> TokenVerifier:
    issuer = TrustedIssuer(SCHOOL_IDP, JwksFile(keys.path("school-idp.jwks.json")))
    return TokenVerifier(audience="school-api", issuers=[issuer], wall_clock=clock, **options)


async def test_a_token_verified_before_is_refused_once_it_expires(keys: Keys, tokens: Tokens) -> None:
    token = _sign(keys, _claims(tokens))
    claims = jwt.get_unverified_claims(token)
    clock = _WallClock(claims["iat"])
    verifier = _verifier(keys, clock)
    assert (await verifier.verify(token))["sub"] == "dsl-1"
    clock.now = claims["exp"] + 29  # within the leeway, from the cache
    assert (await verifier.verify(token))["sub"] == "dsl-1"
    clock.now = claims["exp"] + 31
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_verified_token_with_one_signature_byte_changed_is_refused(keys: Keys, tokens: Tokens) -> None:
    token = _sign(keys, _claims(tokens))
    verifier = _verifier(keys, _WallClock(jwt.get_unverified_claims(token)["iat"]))
    await verifier.verify(token)
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(InvalidToken):
        await verifier.verify(f"{head}.{payload}.{flipped}")


async def test_changing_the_claims_a_caller_received_does_not_change_the_next_callers(keys: Keys, tokens: Tokens) -> None:
    token = _sign(keys, _claims(tokens))
    verifier = _verifier(keys, _WallClock(jwt.get_unverified_claims(token)["iat"]))
    (await verifier.verify(token))["role"] = "headteacher"
    assert (await verifier.verify(token))["role"] == "dsl"


async def test_the_cache_of_verified_tokens_is_bounded(keys: Keys, tokens: Tokens) -> None:
    minted = [_sign(keys, _claims(tokens, sub=f"dsl-{n}")) for n in range(5)]
    verifier = _verifier(keys, _WallClock(jwt.get_unverified_claims(minted[0])["iat"]), verified_cache_size=3)
    for token in minted:
        await verifier.verify(token)
    assert len(verifier._verified) == 3
    assert [(await verifier.verify(token))["sub"] for token in minted] == [f"dsl-{n}" for n in range(5)]
