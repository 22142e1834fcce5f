"""Acceptance 4: the police intake's Idempotency-Key contract (POST /reports), over the real police app.

The report bodies are the school's own outbox payloads, built by a real decision to refer.
"""
from __future__ import annotations

from shared.tenancy import ALL_TENANTS

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from services.police_api.reports import idempotency
from services.police_api.reports.schemas import SchoolReportIn
from services.police_api.reports.models import IdempotencyRecord
from shared.clock import Clock
from tests.handoff.conftest import outbox_of
from tests.handoff.support import police_reports_for, refer
from tests.support import Tokens, bearer


async def _report_body(school: httpx.AsyncClient, school_app: Any, urn: str, tokens: Tokens) -> dict[str, Any]:
    incident_id = await refer(school, bearer(tokens.school("dsl", urn)))
    return (await outbox_of(school_app, incident_id)).payload


async def _client_headers(school_app: Any, urn: str, key: str | None) -> dict[str, str]:
    token = await school_app.state.relay.police.token_for(urn)
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def _reports(police_app: Any, body: dict[str, Any]) -> int:
    counts = await police_reports_for(police_app.state.runtime.engine, [body["school_incident_id"]])
    return counts[body["school_incident_id"]]


async def test_report_without_idempotency_key_is_refused_with_400_and_creates_nothing(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str, tokens: Tokens
) -> None:
    body = await _report_body(school, school_app, registered_school, tokens)
    for headers in (await _client_headers(school_app, registered_school, None), await _client_headers(school_app, registered_school, "  ")):
        refused = await police.post("/reports", json=body, headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["type"].endswith("idempotency-key-required")
    assert await _reports(police_app, body) == 0


async def test_same_key_and_same_body_replays_the_first_response_byte_for_byte_and_creates_nothing(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str, tokens: Tokens
) -> None:
    body = await _report_body(school, school_app, registered_school, tokens)
    headers = await _client_headers(school_app, registered_school, uuid.uuid4().hex)
    first = await police.post("/reports", json=body, headers=headers)
    assert first.status_code == 201, first.text
    for _ in range(3):
        again = await police.post("/reports", json=body, headers=headers)
        assert again.status_code == first.status_code
        assert again.content == first.content
    assert await _reports(police_app, body) == 1


async def test_same_key_with_a_different_body_is_refused_with_422(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str, tokens: Tokens
) -> None:
    body = await _report_body(school, school_app, registered_school, tokens)
    headers = await _client_headers(school_app, registered_school, uuid.uuid4().hex)
    assert (await police.post("/reports", json=body, headers=headers)).status_code == 201
    changed = {**body, "referral_reasons": "A different report under the same key."}
    refused = await police.post("/reports", json=changed, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("idempotency-key-reused")
    assert await _reports(police_app, body) == 1


async def test_repeat_while_the_first_is_still_processing_gets_409_then_takes_over_once_its_lock_expires(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str,
    tokens: Tokens, moved_clock: Clock,
) -> None:
    body = await _report_body(school, school_app, registered_school, tokens)
    key = uuid.uuid4().hex
    headers = await _client_headers(school_app, registered_school, key)
    settings = police_app.state.settings
    client_id = school_app.state.relay.police.credentials[registered_school].client_id
    # The first request has claimed the key and is still inside its intake (a process that then died).
    first = await idempotency.claim(
        police_app.state.runtime, client_id=client_id, key=key,
        fingerprint=idempotency.request_hash(SchoolReportIn.model_validate(body).model_dump(mode="json")),
        now=moved_clock.now(), lock_seconds=settings.idempotency_lock_seconds,
        retention_days=settings.idempotency_retention_days,
    )
    assert first.record_id is not None and first.replay is None
    busy = await police.post("/reports", json=body, headers=headers)
    assert busy.status_code == 409, busy.text
    assert busy.json()["type"].endswith("idempotency-key-in-progress")
    assert 1 <= int(busy.headers["Retry-After"]) <= 5
    assert await _reports(police_app, body) == 0

    moved_clock.advance(timedelta(seconds=settings.idempotency_lock_seconds + 1))
    headers = await _client_headers(school_app, registered_school, key)
    taken_over = await police.post("/reports", json=body, headers=headers)
    assert taken_over.status_code == 201, taken_over.text
    replay = await police.post("/reports", json=body, headers=headers)
    assert replay.content == taken_over.content
    assert await _reports(police_app, body) == 1


async def test_idempotency_key_is_scoped_to_the_calling_school_client(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str,
    another_school: str, tokens: Tokens,
) -> None:
    key = uuid.uuid4().hex
    mine = await _report_body(school, school_app, registered_school, tokens)
    theirs = await _report_body(school, school_app, another_school, tokens)
    answers = [
        await police.post("/reports", json=mine, headers=await _client_headers(school_app, registered_school, key)),
        await police.post("/reports", json=theirs, headers=await _client_headers(school_app, another_school, key)),
    ]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json()["id"] != answers[1].json()["id"]
    assert await _reports(police_app, mine) == 1 and await _reports(police_app, theirs) == 1


async def test_idempotency_key_is_kept_at_least_30_days(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str,
    tokens: Tokens,
) -> None:
    """Tokens cannot be minted 30 days ahead, so the later repeat is asked of the intake's key store directly."""
    settings = police_app.state.settings
    assert settings.idempotency_retention_days >= 30
    body = await _report_body(school, school_app, registered_school, tokens)
    key = uuid.uuid4().hex
    first = await police.post("/reports", json=body, headers=await _client_headers(school_app, registered_school, key))
    runtime = police_app.state.runtime
    async with runtime.session(ALL_TENANTS) as session:
        record = await session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
        assert record is not None and record.expires_at - record.created_at >= timedelta(days=30)
        later = record.created_at + timedelta(days=29, hours=23)
        assert await idempotency.purge_expired(session, later) >= 0
        await session.commit()
    repeat = await idempotency.claim(
        runtime, client_id=record.client_id, key=key,
        fingerprint=idempotency.request_hash(SchoolReportIn.model_validate(body).model_dump(mode="json")),
        now=later, lock_seconds=settings.idempotency_lock_seconds, retention_days=settings.idempotency_retention_days,
    )
    assert repeat.replay is not None
    assert (repeat.replay.status, repeat.replay.body) == (first.status_code, first.json())
    assert await _reports(police_app, body) == 1
