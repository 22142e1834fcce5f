"""What the hand-off tests share: referring through the school API, counting on the police side,
and a police transport that can answer a scripted status for one call and otherwise forwards.

Referrals are made the way a DSL makes them (an incident, then a decision to refer), so that the
outbox row is written by the real decision transaction, never inserted by the test.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.police_api.reports.models import IdempotencyRecord, SchoolReport
from services.school_api.referrals.relay import Relay, stop_relay
from shared.db import create_engine
from tests.school_api.workflow import READY_TO_REFER

INCIDENT = {"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer", "image_nature": "potentially_illegal"}
DECISION = {"outcome": "refer_police", "police_channel": "scpo", "reasons": "Potentially illegal image (S-IMMEDIATE)."}


async def refer(school: httpx.AsyncClient, dsl: dict[str, str]) -> str:
    """The DSL records an incident and decides to refer it; returns the school incident id."""
    created = await school.post("/incidents", json=INCIDENT, headers=dsl)
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    etag = created.headers["ETag"]
    for suffix, body in READY_TO_REFER:  # S-DSL and the risk assessment come before a decision
        prepared = await school.post(f"/incidents/{incident_id}{suffix}", json=body, headers=dsl)
        assert prepared.status_code == 201, prepared.text
        etag = prepared.headers.get("ETag", etag)
    decided = await school.post(
        f"/incidents/{incident_id}/decision", json=DECISION, headers={**dsl, "If-Match": etag}
    )
    assert decided.status_code == 201, decided.text
    return incident_id


def refer_over_the_network(school_url: str, dsl: dict[str, str], client: httpx.Client | None = None) -> str:
    return open_and_refer(client or httpx.Client(timeout=30), school_url, dsl)["id"]


def open_and_refer(http: httpx.Client, school_url: str, dsl: dict[str, str]) -> dict[str, Any]:
    """The DSL's requests over the network, from opening the incident to the decision; returns the incident."""
    created = http.post(f"{school_url}/incidents", json=INCIDENT, headers=dsl)
    assert created.status_code == 201, created.text
    incident = created.json()
    etag = created.headers["ETag"]
    for suffix, body in READY_TO_REFER:  # S-DSL and the risk assessment come before a decision
        prepared = http.post(f"{school_url}/incidents/{incident['id']}{suffix}", json=body, headers=dsl)
        assert prepared.status_code == 201, prepared.text
        etag = prepared.headers.get("ETag", etag)
    decided = http.post(
        f"{school_url}/incidents/{incident['id']}/decision", json=DECISION,
        headers={**dsl, "If-Match": etag},
    )
    assert decided.status_code == 201, decided.text
    return incident


async def only_referral(school: httpx.AsyncClient, dsl: dict[str, str], incident_id: str) -> dict[str, Any]:
    """What the DSL sees: GET /incidents/{id}/referrals (exactly one referral per decision)."""
    response = await school.get(f"/incidents/{incident_id}/referrals", headers=dsl)
    assert response.status_code == 200, response.text
    referrals = response.json()["items"]
    assert len(referrals) == 1, referrals
    return referrals[0]


async def police_reports_for(engine: AsyncEngine, school_incident_ids: list[str]) -> Counter[str]:
    """How many reports the police database holds for each school incident (read straight from the table)."""
    ids = [uuid.UUID(value) for value in school_incident_ids]
    counts: Counter[str] = Counter()
    async with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            rows = await connection.execute(
                select(SchoolReport.school_incident_id, func.count())
                .where(SchoolReport.school_incident_id.in_(ids[start : start + 500]))
                .group_by(SchoolReport.school_incident_id)
            )
            counts.update({str(incident_id): count for incident_id, count in rows})
    return counts


async def idempotency_keys_for(engine: AsyncEngine, client_prefix: str) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(
            select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.client_id.like(f"{client_prefix}%"))
        )


@contextlib.asynccontextmanager
async def running_relay(school_app: Any, **settings: object) -> AsyncIterator[Relay]:
    """A relay like the app's (database, police client, clock) with `settings` changed, running as the
    app runs it, and stopped the way the app stops it: the pass in flight finishes first."""
    app_relay: Relay = school_app.state.relay
    relay = Relay(app_relay.sessionmaker, app_relay.police, app_relay.settings.model_copy(update=settings), app_relay.clock)
    running = asyncio.create_task(relay.run_forever())
    try:
        yield relay
    finally:
        await stop_relay(relay, running)


def police_engine(url: str) -> AsyncEngine:
    return create_engine(url, pool_size=2)


Script = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class ScriptedPolice(httpx.AsyncBaseTransport):
    """The police seen through one wire: each request is offered to `script` first (a scripted
    answer for what the test is about); anything it declines goes to the real police transport."""

    inner: httpx.AsyncBaseTransport
    script: Script = lambda request: None
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)
    token_clients: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, request.headers.get("Idempotency-Key")))
        if request.url.path == "/oauth/token":
            await request.aread()
            self.token_clients.extend(parse_qs(request.content.decode()).get("client_id", []))
        scripted = self.script(request)
        if scripted is not None:
            return scripted
        return await self.inner.handle_async_request(request)

    def calls(self, method: str, path: str) -> int:
        return sum(1 for seen_method, seen_path, _ in self.seen if (seen_method, seen_path) == (method, path))

    def token_requests(self, client_id: str) -> int:
        return self.token_clients.count(client_id)

    def sends_per_key(self) -> Counter[str]:
        return Counter(key for method, path, key in self.seen if (method, path) == ("POST", "/reports") and key)


def for_incident(incident_id: str, answer: httpx.Response, times: int = 1) -> Script:
    """Answer POST /reports for this one incident `times` times, then let the real police answer."""
    remaining = [times]

    def script(request: httpx.Request) -> httpx.Response | None:
        if request.method != "POST" or request.url.path != "/reports" or remaining[0] == 0:
            return None
        if json.loads(request.content).get("school_incident_id") != incident_id:
            return None
        remaining[0] -= 1
        return answer

    return script


def problem(status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": f"https://problems.example/police/{slug}", "title": title, "status": status, "detail": detail},
        headers={"Content-Type": "application/problem+json", **(headers or {})},
    )
