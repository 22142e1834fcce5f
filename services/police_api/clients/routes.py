"""POST /oauth/token: the client-credentials grant for registered schools (RFC 6749 section 4.4), and
GET /.well-known/jwks.json: the keys those tokens are signed with."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel

from services.police_api.clients.schemas import KeySet
from services.police_api.clients.service import InvalidClient, exchange_credentials
from shared.audit import AuditTrail, append_events
from shared.context import runtime_of
from shared.http import problem_responses
from shared.identity import Actor
from shared.logging import request_id_var
from shared.tenancy import ALL_TENANTS

router = APIRouter(tags=["clients"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


@router.post("/oauth/token", response_model=TokenOut, responses=problem_responses(400, 401, 413, 415, 422, 429))
async def issue_token(
    request: Request,
    grant_type: Annotated[str, Form(max_length=40)],
    client_id: Annotated[str, Form(min_length=1, max_length=80)],
    client_secret: Annotated[str, Form(min_length=1, max_length=200)],
) -> TokenOut:
    """Exchange a registered school's client id and secret for a short-lived `school_client` token."""
    runtime = runtime_of(request)
    settings = request.app.state.settings
    async with runtime.session(ALL_TENANTS) as session:
        try:
            issued = await exchange_credentials(
                session,
                grant_type=grant_type,
                client_id=client_id,
                client_secret=client_secret,
                # Behind a reverse proxy, uvicorn's --forwarded-allow-ips makes this the caller's address.
                source=request.client.host[:64] if request.client else "unknown",
                settings=settings,
                signer=request.app.state.signer,
                now=runtime.clock.now(),
            )
        except InvalidClient:
            await session.commit()  # the failure must count even though the request is refused
            raise
        trail = AuditTrail(request_id=request_id_var.get(), actor=Actor(client_id, "school_client", ""))
        trail.record("client_token.issue", "school_client", None)
        await append_events(session, runtime.audit_model, trail, runtime.clock)
        await session.commit()
    return TokenOut(access_token=issued.access_token, expires_in=issued.expires_in)


@router.get("/.well-known/jwks.json", response_model=KeySet, responses=problem_responses(500))
async def signing_key_set(request: Request, response: Response) -> KeySet:
    """The public keys that sign school-client tokens, named by the `kid` each token carries (RFC 7638 thumbprint)."""
    # Public keys: a cache may keep them a while; the default no-store is for records.
    response.headers["Cache-Control"] = "public, max-age=300"
    return KeySet.model_validate(request.app.state.signing_keys.document)
