"""Acceptance 1 and 2 over real processes: the police service as uvicorn on a loopback port with
its own throw-away database, the school API as uvicorn, and relays as `school-api relay`."""
from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.handoff.processes import HoldingProxy, Services, referral_of, services, wait_for
from tests.handoff.support import refer_over_the_network
from tests.support import BACKEND, POSTGRES_ADMIN_URL, Keys, Tokens, bearer

pytestmark = pytest.mark.slow

LEASE_SECONDS = 3
IDLE_POLL_SECONDS = 60
LISTENING = b'"event": "listening"'  # shared/notify.py, the relay's only listener


@pytest.fixture
def handoff(tmp_path: Path, keys: Keys) -> Iterator[Services]:
    yield from services(tmp_path, keys)


def test_a_referral_made_while_the_police_are_down_is_queued_then_delivered_once_when_they_return(
    handoff: Services, tokens: Tokens
) -> None:
    school = handoff.school()
    school.start()
    try:
        dsl = bearer(tokens.school("dsl", handoff.urn))
        incident_id = refer_over_the_network(school.url, dsl)
        queued = wait_for(
            lambda: (r := referral_of(school.url, dsl, incident_id))["attempts"] >= 2 and r, 20, "two failed attempts"
        )
        assert queued["delivery_state"] == "queued" and queued["police_reference"] is None
        assert queued["last_error"]["kind"] == "network"
        assert handoff.police_reports([incident_id]) == {}

        handoff.police.start()
        delivered = wait_for(
            lambda: (r := referral_of(school.url, dsl, incident_id))["delivery_state"] == "delivered" and r,
            30, "delivery after the police came back",
        )
        assert delivered["police_reference"].startswith("52-")
        assert delivered["last_error"] is None
        assert handoff.police_reports([incident_id]) == {incident_id: 1}
        officer = bearer(tokens.police("supervisor", "52"))
        listed = httpx.get(f"{handoff.police.url}/incidents", headers=officer, params={"limit": 200}).json()["items"]
        assert [item["reference"] for item in listed].count(delivered["police_reference"]) == 1
    finally:
        school.stop()


@dataclass
class SendInFlight:
    """A standalone relay whose report the police have stored but whose answer the proxy holds back."""

    relay: subprocess.Popen
    relay_settings: dict[str, str]
    proxy: HoldingProxy
    school_url: str
    dsl: dict[str, str]
    incident_id: str


@contextlib.contextmanager
def send_in_flight(handoff: Services, tokens: Tokens, lease_seconds: int) -> Iterator[SendInFlight]:
    handoff.police.start()
    proxy = HoldingProxy(handoff.police.url)
    school = handoff.school(relay_enabled="false")  # only the relay processes of the test deliver
    school.start()
    try:
        dsl = bearer(tokens.school("dsl", handoff.urn))
        proxy.hold_reports = True
        incident_id = refer_over_the_network(school.url, dsl)
        relay_settings = {"relay_lease_seconds": str(lease_seconds), "police_read_timeout_seconds": "60"}
        relay = handoff.start_relay(proxy.url, **relay_settings)
        assert proxy.police_answered.wait(timeout=30), "the relay never sent the report"
        yield SendInFlight(relay, relay_settings, proxy, school.url, dsl, incident_id)
    finally:
        proxy.close()
        school.stop()


def test_a_relay_killed_after_the_police_stored_the_report_is_replaced_and_the_police_still_have_one(
    handoff: Services, tokens: Tokens
) -> None:
    with send_in_flight(handoff, tokens, LEASE_SECONDS) as sent:
        proxy, incident_id = sent.proxy, sent.incident_id
        # The police have stored the report and answered; the relay has not recorded it.
        (first,) = proxy.reports_sent()
        assert first.status == 201
        assert handoff.police_reports([incident_id]) == {incident_id: 1}
        assert referral_of(sent.school_url, sent.dsl, incident_id)["delivery_state"] == "queued"
        outbox = handoff.outbox_row(incident_id)
        assert outbox["state"] == "pending" and outbox["lease_owner"] is not None

        sent.relay.send_signal(signal.SIGKILL)
        assert sent.relay.wait(timeout=10) == -signal.SIGKILL
        proxy.release()

        handoff.start_relay(proxy.url, **sent.relay_settings)
        delivered = wait_for(
            lambda: (r := referral_of(sent.school_url, sent.dsl, incident_id))["delivery_state"] == "delivered" and r,
            30, "delivery by the second relay",
        )
        first_sent, second_sent = proxy.reports_sent()[:2]
        assert second_sent.idempotency_key == first_sent.idempotency_key == outbox["idempotency_key"]
        assert (second_sent.status, second_sent.body) == (first_sent.status, first_sent.body), "the police replayed their answer"
        assert second_sent.at - first_sent.at >= LEASE_SECONDS * 0.8, "sent again before the first lease expired"
        assert len(proxy.reports_sent()) == 2
        assert delivered["police_reference"] == httpx.Response(201, content=first_sent.body).json()["police_reference"]
        assert handoff.police_reports([incident_id]) == {incident_id: 1}
        assert handoff.outbox_row(incident_id)["state"] == "done"


def test_a_relay_process_stopped_by_sigterm_mid_send_records_the_outcome_and_exits_cleanly(
    handoff: Services, tokens: Tokens
) -> None:
    """What a deployment does when it replaces the relay's container: SIGTERM, not SIGKILL."""
    with send_in_flight(handoff, tokens, lease_seconds=60) as sent:
        sent.relay.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert sent.relay.poll() is None, "the relay finishes the send in flight before it exits"
        sent.proxy.release()  # the held answer never arrives: the relay records a network fault
        assert sent.relay.wait(timeout=20) == 0

        outbox = handoff.outbox_row(sent.incident_id)
        assert outbox["state"] == "pending" and outbox["lease_owner"] is None, "no lease left to expire"
        referral = referral_of(sent.school_url, sent.dsl, sent.incident_id)
        assert referral["attempts"] == 1 and referral["last_error"]["kind"] == "network"
        assert b'"relay stopped"' in (handoff.folder / "relay.log").read_bytes()


def test_a_second_sigterm_stops_the_relay_process_without_waiting_for_its_send(handoff: Services, tokens: Tokens) -> None:
    with send_in_flight(handoff, tokens, lease_seconds=60) as sent:
        sent.relay.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        sent.relay.send_signal(signal.SIGTERM)
        assert sent.relay.wait(timeout=10) == 0, "the second signal does not wait for the held answer"
        outbox = handoff.outbox_row(sent.incident_id)
        assert outbox["state"] == "pending" and outbox["lease_owner"] is not None, "the lease covers the cut send"


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite has no notifications: there a relay process finds referrals on its idle poll")
def test_a_relay_process_is_woken_by_the_decisions_commit_and_listens_again_after_losing_its_connection(
    handoff: Services, tokens: Tokens
) -> None:
    handoff.police.start()
    school = handoff.school(relay_enabled="false")  # only the relay process delivers, and it is never polled awake
    school.start()
    log = handoff.folder / "relay.log"
    try:
        handoff.start_relay(handoff.police.url, relay_idle_poll_seconds=str(IDLE_POLL_SECONDS))
        wait_for(lambda: log.read_bytes().count(LISTENING) == 1, 20, "the relay process to listen")
        dsl = bearer(tokens.school("dsl", handoff.urn))

        def delivered_within(seconds: float) -> None:
            incident_id = refer_over_the_network(school.url, dsl)
            wait_for(lambda: referral_of(school.url, dsl, incident_id)["delivery_state"] == "delivered", seconds, "a woken delivery")

        delivered_within(5)  # against an idle poll of a minute

        # The database drops the listening connection (a restart, a failover): the relay listens again.
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'",
                (handoff.school_db.db_name,),
            ).fetchall()
        assert ended == [(True,)]
        wait_for(lambda: log.read_bytes().count(LISTENING) == 2, 20, "the relay process to listen again")
        delivered_within(5)
    finally:
        school.stop()
