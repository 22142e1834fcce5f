"""Acceptance 5 and the retry rules: a 4xx that cannot succeed fails the referral with its problem
visible to the DSL; Retry-After is honoured on 429/503; backoff is capped exponential with full
jitter; every call has connect and read timeouts; the school's police token is cached.

The police wire is scripted only for the one answer a test is about; everything else goes to the
real police app in-process.
"""
from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from services.school_api.referrals.police_client import PoliceClient, new_http_client
from services.school_api.referrals.relay import Relay, stop_relay
from services.school_api.referrals.retry import (
    Verdict,
    backoff_seconds,
    next_attempt_at,
    retry_after_seconds,
    verdict_for_status,
)
from services.school_api.referrals.vocabulary import OutboxState
from shared.clock import Clock
from tests.handoff.conftest import outbox_of
from tests.handoff.support import ScriptedPolice, for_incident, only_referral, police_reports_for, problem, refer, running_relay
from tests.support import Tokens, bearer


async def test_a_4xx_that_cannot_succeed_marks_the_referral_failed_with_its_problem_visible_to_the_dsl(
    school: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    wire.script = for_incident(
        incident_id, problem(422, "report-refused", "Report refused", "This force does not accept reports on this channel."), times=99
    )
    await scripted_relay.deliver_due()

    referral = await only_referral(school, dsl, incident_id)
    assert referral["delivery_state"] == "failed"
    assert referral["attempts"] == 1
    assert referral["last_error"]["status"] == 422
    assert referral["last_error"]["detail"] == "This force does not accept reports on this channel."
    assert referral["last_error"]["type"].endswith("report-refused")
    assert referral["police_reference"] is None
    message = await outbox_of(school_app, incident_id)
    assert message.state is OutboxState.dead

    sent = wire.sends_per_key()[message.idempotency_key]
    await scripted_relay.deliver_due()
    assert wire.sends_per_key()[message.idempotency_key] == sent == 1, "a refused report is never sent again"


@pytest.mark.parametrize("status", [503, 429])
async def test_retry_after_on_503_and_429_is_honoured_no_sooner_than_it_says(
    status: int, school: httpx.AsyncClient, school_app: Any, police_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay, moved_clock: Clock,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    wire.script = for_incident(
        incident_id, problem(status, "unavailable", "Unavailable", "Busy.", headers={"Retry-After": "120"})
    )
    await scripted_relay.deliver_due()
    key = (await outbox_of(school_app, incident_id)).idempotency_key
    referral = await only_referral(school, dsl, incident_id)
    assert (referral["delivery_state"], referral["attempts"], referral["last_error"]["status"]) == ("queued", 1, status)
    assert wire.sends_per_key()[key] == 1

    moved_clock.advance(timedelta(seconds=119))
    await scripted_relay.deliver_due()
    assert wire.sends_per_key()[key] == 1, "sent again before Retry-After had passed"

    moved_clock.advance(timedelta(seconds=2))
    await scripted_relay.deliver_due()
    assert wire.sends_per_key()[key] == 2
    referral = await only_referral(school, dsl, incident_id)
    assert referral["delivery_state"] == "delivered", referral
    assert referral["attempts"] == 2 and referral["last_error"] is None
    assert (await police_reports_for(police_app.state.runtime.engine, [incident_id]))[incident_id] == 1


async def test_a_read_timeout_keeps_the_referral_queued_with_a_network_error_and_backs_off(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay, moved_clock: Clock,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)

    def times_out(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/reports" and json.loads(request.content).get("school_incident_id") == incident_id:
            raise httpx.ReadTimeout("no answer", request=request)
        return None

    wire.script = times_out
    before = moved_clock.now()
    await scripted_relay.deliver_due()
    referral = await only_referral(school, dsl, incident_id)
    assert referral["delivery_state"] == "queued"
    assert referral["last_error"] == {"kind": "network", "detail": "ReadTimeout"}
    message = await outbox_of(school_app, incident_id)
    assert message.state is OutboxState.pending and message.lease_owner is None
    ceiling = min(school_app.state.settings.relay_backoff_cap_seconds, school_app.state.settings.relay_backoff_base_seconds * 2)
    assert before <= message.available_at <= moved_clock.now() + timedelta(seconds=ceiling)


async def test_a_401_on_a_report_drops_the_cached_token_and_the_retry_fetches_a_new_one(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay, moved_clock: Clock,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    wire.script = for_incident(incident_id, problem(401, "unauthenticated", "Unauthenticated", "Token expired."))
    await scripted_relay.deliver_due()
    assert (await only_referral(school, dsl, incident_id))["delivery_state"] == "queued"
    client_id = school_app.state.relay.police.credentials[registered_school].client_id
    tokens_before = wire.token_requests(client_id)
    moved_clock.advance(timedelta(seconds=5))
    await scripted_relay.deliver_due()
    assert wire.token_requests(client_id) == tokens_before + 1
    assert (await only_referral(school, dsl, incident_id))["delivery_state"] == "delivered"


async def test_the_police_token_is_cached_until_shortly_before_it_expires(
    school_app: Any, police_app: Any, registered_school: str, wire: ScriptedPolice, moved_clock: Clock
) -> None:
    async with httpx.AsyncClient(transport=wire, base_url="http://police-api") as http:
        client = PoliceClient(http, school_app.state.relay.police.credentials, moved_clock)
        client_id = client.credentials[registered_school].client_id
        first = await client.token_for(registered_school)
        assert await client.token_for(registered_school) == first
        await asyncio.gather(*(client.token_for(registered_school) for _ in range(10)))
        assert wire.token_requests(client_id) == 1, "concurrent callers share one token request"

        lifetime = police_app.state.settings.client_token_lifetime_seconds
        moved_clock.advance(timedelta(seconds=lifetime - 45))
        assert await client.token_for(registered_school) == first
        assert wire.token_requests(client_id) == 1
        moved_clock.advance(timedelta(seconds=20))  # within 30 s of expiry: refreshed before it can lapse in flight
        await client.token_for(registered_school)
        assert wire.token_requests(client_id) == 2


async def test_the_relay_wakes_on_commit_without_waiting_for_its_poll_interval(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens
) -> None:
    signals = school_app.state.runtime.signals
    assert signals["referral_queued"] == school_app.state.relay.wake
    woken: list[float] = []
    async with running_relay(school_app, relay_idle_poll_seconds=3600.0) as relay:

        def counting_wake() -> None:
            woken.append(time.monotonic())
            relay.wake()

        signals["referral_queued"] = counting_wake
        try:
            await asyncio.sleep(0.3)  # the relay has done its first pass and is asleep
            dsl = bearer(tokens.school("dsl", registered_school))
            incident_id = await refer(school, dsl)
            assert len(woken) == 1, "the decision's commit wakes the relay"
            while (await only_referral(school, dsl, incident_id))["delivery_state"] != "delivered":
                assert time.monotonic() - woken[0] < 5, "not delivered within 5 s of the commit; the poll interval is an hour"
                await asyncio.sleep(0.02)
        finally:
            signals["referral_queued"] = school_app.state.relay.wake


async def test_a_stopped_relay_finishes_the_delivery_in_flight_and_leaves_no_lease(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    """A shutdown in the middle of a send: the police's answer is still recorded, and no lease is
    left to expire before another relay could send the report again."""
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    sending, answer = asyncio.Event(), asyncio.Event()
    inner = wire.inner

    class SlowPolice(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/reports":
                sending.set()
                await answer.wait()
            return await inner.handle_async_request(request)

    wire.inner = SlowPolice()
    running = asyncio.create_task(scripted_relay.run_forever())
    try:
        await asyncio.wait_for(sending.wait(), timeout=10)
        scripted_relay.stop()
        await asyncio.sleep(0.1)
        assert not running.done(), "the relay waits for its send to finish"
    finally:
        answer.set()
        await stop_relay(scripted_relay, running)

    referral = await only_referral(school, dsl, incident_id)
    assert referral["delivery_state"] == "delivered" and referral["police_reference"]
    message = await outbox_of(school_app, incident_id)
    assert message.state is OutboxState.done and message.lease_owner is None


def test_only_a_4xx_that_can_never_succeed_stops_the_retries() -> None:
    for status in (400, 403, 404, 410, 413, 415, 422):
        assert verdict_for_status(status) is Verdict.give_up, status
    for status in (401, 408, 409, 425, 429, 500, 502, 503, 504):
        assert verdict_for_status(status) is Verdict.retry, status
    assert verdict_for_status(201) is Verdict.delivered and verdict_for_status(200) is Verdict.delivered


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    rng = random.Random(5)
    for attempt in range(1, 12):
        ceiling = min(60.0, 0.5 * 2**attempt)
        samples = [backoff_seconds(attempt, base=0.5, cap=60.0, rng=rng) for _ in range(2000)]
        assert all(0 <= sample <= ceiling for sample in samples)
        # Full jitter: the whole range [0, ceiling] is used, not just its upper half.
        assert min(samples) < 0.05 * ceiling and max(samples) > 0.95 * ceiling
    assert max(backoff_seconds(500, base=1, cap=300, rng=rng) for _ in range(500)) <= 300


def test_retry_after_is_read_as_seconds_or_an_http_date_and_is_a_floor() -> None:
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
    rng = random.Random(1)
    for _ in range(200):
        assert next_attempt_at(now, 1, base=1, cap=300, retry_after=120, rng=rng) >= now + timedelta(seconds=120)


def test_every_police_call_has_connect_and_read_timeouts(school_app: Any) -> None:
    settings = school_app.state.settings
    client = new_http_client("http://127.0.0.1:9", connect_timeout=settings.police_connect_timeout_seconds,
                             read_timeout=settings.police_read_timeout_seconds)
    assert client.timeout.connect == settings.police_connect_timeout_seconds
    assert client.timeout.read == settings.police_read_timeout_seconds


async def test_a_police_service_that_accepts_but_never_answers_is_cut_off_by_the_read_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        http = new_http_client(f"http://127.0.0.1:{silent.getsockname()[1]}", connect_timeout=1, read_timeout=0.3)
        client = PoliceClient(http, {}, Clock())
        client._tokens["100001"] = type("T", (), {"value": "t", "expires_at": datetime.now(UTC) + timedelta(hours=1)})()
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await client.submit_report("100001", "key", {})
        assert time.monotonic() - started < 2
        await http.aclose()
