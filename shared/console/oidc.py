"""OpenID Connect authorization code flow with PKCE (RFC 7636, S256) for production sign-in.

The console never sees a password: it sends the person to the identity provider with a one-time
`state`, `nonce` and code challenge, and exchanges the returned code (with the verifier) for an
access token at the token endpoint. That token is then verified exactly as the API verifies a bearer
token (issuer, key, audience, expiry, role and tenant claims).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from shared.settings import ServiceSettings

PENDING_COOKIE = "console_oidc"


class OidcError(Exception):
    """Sign-in with the identity provider did not complete; the message is safe to show."""


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> PendingSignIn:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def configured(settings: ServiceSettings) -> bool:
    has_endpoints = bool(settings.oidc_authorization_endpoint and settings.oidc_token_endpoint)
    return bool(settings.oidc_client_id and settings.oidc_redirect_uri and (settings.oidc_discovery_url or has_endpoints))


async def endpoints(settings: ServiceSettings, http: httpx.AsyncClient) -> Endpoints:
    if settings.oidc_authorization_endpoint and settings.oidc_token_endpoint:
        return Endpoints(settings.oidc_authorization_endpoint, settings.oidc_token_endpoint)
    try:
        answer = await http.get(str(settings.oidc_discovery_url))
        answer.raise_for_status()
        document = answer.json()
        return Endpoints(document["authorization_endpoint"], document["token_endpoint"])
    except (httpx.HTTPError, ValueError, KeyError):
        raise OidcError("The identity provider's configuration could not be read.") from None


def authorization_url(settings: ServiceSettings, where: Endpoints, pending: PendingSignIn) -> str:
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": settings.oidc_redirect_uri,
        "scope": settings.oidc_scope,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": pending.challenge,
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in where.authorization else "?"
    return f"{where.authorization}{separator}{urlencode(query)}"


async def exchange_code(
    settings: ServiceSettings, where: Endpoints, http: httpx.AsyncClient, code: str, pending: PendingSignIn
) -> str:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": settings.oidc_redirect_uri,
        "client_id": settings.oidc_client_id,
        "code_verifier": pending.verifier,
    }
    if settings.oidc_client_secret:
        form["client_secret"] = settings.oidc_client_secret
    try:
        answer = await http.post(where.token, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError:
        raise OidcError("The identity provider did not answer.") from None
    if answer.status_code != 200:
        raise OidcError("The identity provider refused the sign-in.")
    try:
        token = answer.json()["access_token"]
    except (ValueError, KeyError):
        raise OidcError("The identity provider's answer held no access token.") from None
    if not isinstance(token, str) or not token:
        raise OidcError("The identity provider's answer held no access token.")
    return token
