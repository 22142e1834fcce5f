"""Registering school clients and exchanging their credentials for short-lived police tokens."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.access import PoliceRole
from services.police_api.clients.models import ClientAuthFailure, SchoolClient
from services.police_api.clients.secrets import DUMMY_HASH, hash_secret, new_secret, verify_secret
from services.police_api.settings import AUDIENCE, PoliceSettings
from shared.identifiers import is_force_code
from shared.problems import Conflict, Problem, RateLimited, ValidationFailed
from shared.tokens import TokenIssuer


class InvalidClient(Problem):
    slug, status, title = "invalid-client", 401, "Client authentication failed"
    description = "Unknown client, wrong secret, or an inactive registration (RFC 6749 `invalid_client`)."


class UnsupportedGrantType(Problem):
    slug, status, title = "unsupported-grant-type", 400, "Only client_credentials is supported"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


async def register_school_client(
    session: AsyncSession, *, client_id: str, school_urn: str, force_code: str, now: datetime, secret: str | None = None
) -> str:
    """Register a school; returns the secret, which is shown once and stored only as a hash."""
    if not is_force_code(force_code):
        raise ValidationFailed("Unknown force code.")
    if not (len(school_urn) == 6 and school_urn.isdigit()):
        raise ValidationFailed("A school URN is six digits.")
    if await session.scalar(select(SchoolClient.id).where(SchoolClient.client_id == client_id)):
        raise Conflict("That client id is already registered.")
    secret = secret or new_secret()
    session.add(
        SchoolClient(
            id=uuid.uuid4(),
            client_id=client_id,
            secret_hash=hash_secret(secret),
            school_urn=school_urn,
            force_code=force_code,
            active=True,
            created_at=now,
        )
    )
    await session.flush()
    return secret


async def recent_failures(
    session: AsyncSession, client_id: str, source: str, since: datetime
) -> tuple[int, datetime | None]:
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(ClientAuthFailure.failed_at)).where(
                ClientAuthFailure.client_id == client_id,
                ClientAuthFailure.source == source,
                ClientAuthFailure.failed_at >= since,
            )
        )
    ).one()
    return count, oldest


async def exchange_credentials(
    session: AsyncSession,
    *,
    grant_type: str,
    client_id: str,
    client_secret: str,
    source: str,
    settings: PoliceSettings,
    signer: TokenIssuer,
    now: datetime,
) -> IssuedToken:
    if grant_type != "client_credentials":
        raise UnsupportedGrantType(error="unsupported_grant_type")
    window = timedelta(seconds=settings.token_failure_window_seconds)
    failures, oldest = await recent_failures(session, client_id, source, now - window)
    if failures >= settings.token_failure_limit and oldest is not None:
        retry_after = max(1, int((oldest + window - now).total_seconds()) + 1)
        raise RateLimited(
            "Too many failed attempts for this client; wait before trying again.",
            headers={"Retry-After": str(retry_after)},
            error="slow_down",
        )
    client = await session.scalar(select(SchoolClient).where(SchoolClient.client_id == client_id))
    secret_ok = verify_secret(client_secret, client.secret_hash if client else DUMMY_HASH)
    if client is None or not client.active or not secret_ok:
        session.add(ClientAuthFailure(id=uuid.uuid4(), client_id=client_id[:80], source=source, failed_at=now))
        raise InvalidClient(error="invalid_client", headers={"WWW-Authenticate": 'Basic realm="police-api"'})
    await session.execute(
        delete(ClientAuthFailure).where(ClientAuthFailure.client_id == client_id, ClientAuthFailure.source == source)
    )
    lifetime = settings.client_token_lifetime_seconds
    token = signer.issue(
        subject=client.client_id,
        audience=AUDIENCE,
        now=now,
        lifetime=timedelta(seconds=lifetime),
        claims={"role": PoliceRole.school_client.value, "force_code": client.force_code, "school_urn": client.school_urn},
    )
    return IssuedToken(access_token=token, expires_in=lifetime)
