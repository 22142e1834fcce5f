"""The school service's client for the police API: client-credentials tokens and report calls.

One `httpx.AsyncClient` per process, with connect and read timeouts on every call. Tokens are
cached per school until shortly before they expire.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.clock import Clock

TOKEN_REFRESH_MARGIN = timedelta(seconds=30)


class CredentialsRefused(Exception):
    """The police token endpoint refused this school's client credentials (configuration, not load)."""


class NoCredentials(Exception):
    """No police client is configured for this school."""


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


def load_credentials(path: Path) -> dict[str, ClientCredentials]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {urn: ClientCredentials(entry["client_id"], entry["client_secret"]) for urn, entry in raw.items()}


@dataclass
class _CachedToken:
    value: str
    expires_at: datetime


class PoliceClient:
    def __init__(self, http: httpx.AsyncClient, credentials: dict[str, ClientCredentials], clock: Clock) -> None:
        self.http = http
        self.credentials = credentials
        self.clock = clock
        self._tokens: dict[str, _CachedToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def token_for(self, school_urn: str) -> str:
        cached = self._tokens.get(school_urn)
        if cached is not None and cached.expires_at - TOKEN_REFRESH_MARGIN > self.clock.now():
            return cached.value
        lock = self._locks.setdefault(school_urn, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(school_urn)
            if cached is not None and cached.expires_at - TOKEN_REFRESH_MARGIN > self.clock.now():
                return cached.value
            credentials = self.credentials.get(school_urn)
            if credentials is None:
                raise NoCredentials(school_urn)
            response = await self.http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": credentials.client_id,
                    "client_secret": credentials.client_secret,
                },
            )
            if response.status_code in (400, 401):
                raise CredentialsRefused(school_urn)
            response.raise_for_status()  # 429/5xx: an httpx.HTTPStatusError, retried like a network fault
            body = response.json()
            token = _CachedToken(body["access_token"], self.clock.now() + timedelta(seconds=int(body["expires_in"])))
            self._tokens[school_urn] = token
            return token.value

    def forget_token(self, school_urn: str) -> None:
        self._tokens.pop(school_urn, None)

    async def submit_report(
        self, school_urn: str, idempotency_key: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """`headers`: what else the call carries (the trace's traceparent)."""
        token = await self.token_for(school_urn)
        return await self.http.post(
            "/reports",
            json=payload,
            headers={**(headers or {}), "Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key},
        )

    async def report_status(self, school_urn: str, report_id: str) -> httpx.Response:
        token = await self.token_for(school_urn)
        return await self.http.get(f"/reports/{report_id}/status", headers={"Authorization": f"Bearer {token}"})

    async def status_changes(self, school_urn: str, *, after: int, wait_seconds: float) -> httpx.Response:
        """A long poll: the police hold it up to `wait_seconds`, so the read timeout is stretched by as much."""
        token = await self.token_for(school_urn)
        timeout = self.http.timeout
        return await self.http.get(
            "/status-changes",
            params={"cursor": str(after), "wait": str(wait_seconds)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(
                connect=timeout.connect, read=(timeout.read or 0) + wait_seconds, write=timeout.write, pool=timeout.pool
            ),
        )


def new_http_client(base_url: str, *, connect_timeout: float, read_timeout: float) -> httpx.AsyncClient:
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=read_timeout)
    # No cap on connections: every school with an open referral holds one long poll of its status feed,
    # and a capped pool full of them would make a report wait for a free connection.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=100)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits)
