"""The relay reads children's reports and writes referrals with nobody signed in, and is audited all the
same: as `referral-relay` with the role `system`, in the chain of the school whose referral it carries,
each row in the transaction of what it records (docs/handoff.md, Audit).

The police wire is scripted only for the one answer a test is about; everything else goes to the
real police app in-process.
"""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx

from services.school_api.referrals.relay import Relay
from shared.audit import verify_chain
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS
from tests.handoff.support import ScriptedPolice, for_incident, only_referral, problem, refer
from tests.support import Tokens, bearer, fresh_urn

RELAY = ("referral-relay", "system")


async def relay_rows(school: httpx.AsyncClient, dsl: dict[str, str], referral_id: str) -> list[str]:
    """The operations the relay left in the referral's trail, as the school's DSL reads it."""
    trail = await school.get("/audit", params={"record_id": referral_id, "limit": 200}, headers=dsl)
    assert trail.status_code == 200, trail.text
    rows = [row for row in trail.json()["items"] if (row["subject"], row["role"]) == RELAY]
    assert all(row["record_type"] == "police_referral" and row["outcome"] == "allowed" for row in rows), rows
    return [row["operation"] for row in rows]


async def test_every_delivery_attempt_is_audited_as_a_send_and_its_outcome_in_the_referrals_school(
    school: httpx.AsyncClient, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay, moved_clock: Clock,
) -> None:
    dsl, another_schools_dsl = (bearer(tokens.school("dsl", urn)) for urn in (registered_school, fresh_urn()))
    incident_id = await refer(school, dsl)
    wire.script = for_incident(incident_id, problem(503, "unavailable", "Unavailable", "Busy.", headers={"Retry-After": "60"}))
    await scripted_relay.deliver_due()
    moved_clock.advance(timedelta(seconds=61))
    await scripted_relay.deliver_due()

    referral = await only_referral(school, dsl, incident_id)
    assert (referral["delivery_state"], referral["attempts"]) == ("delivered", 2)
    assert await relay_rows(school, dsl, referral["id"]) == [
        "police_referral.send", "police_referral.retry", "police_referral.send", "police_referral.deliver",
        "police_referral.status_refresh",
    ]
    assert await relay_rows(school, another_schools_dsl, referral["id"]) == [], "the rows are in the referral's school's chain only"


async def test_a_report_the_police_refuse_is_audited_as_sent_then_failed(
    school: httpx.AsyncClient, registered_school: str, tokens: Tokens, wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    wire.script = for_incident(incident_id, problem(422, "report-refused", "Report refused", "Not on this channel."), times=99)
    await scripted_relay.deliver_due()

    referral = await only_referral(school, dsl, incident_id)
    assert referral["delivery_state"] == "failed"
    assert await relay_rows(school, dsl, referral["id"]) == ["police_referral.send", "police_referral.fail"]


async def test_the_report_is_audited_as_sent_before_it_leaves_the_school(
    school: httpx.AsyncClient, registered_school: str, tokens: Tokens, wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    referral_id = (await only_referral(school, dsl, incident_id))["id"]
    inner, audited_when_it_arrived = wire.inner, []

    class Witness(httpx.AsyncBaseTransport):
        """The police, who first look at what the school's trail already says when the report arrives."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/reports" and json.loads(await request.aread()).get("school_incident_id") == incident_id:
                audited_when_it_arrived.append(await relay_rows(school, dsl, referral_id))
            return await inner.handle_async_request(request)

    wire.inner = Witness()
    await scripted_relay.deliver_due()
    assert audited_when_it_arrived == [["police_referral.send"]]
    # Then the one status call that follows a delivery (Relay._catch_up).
    assert await relay_rows(school, dsl, referral_id) == ["police_referral.send", "police_referral.deliver", "police_referral.status_refresh"]


async def test_each_status_refresh_is_audited_on_the_referral(
    school: httpx.AsyncClient, registered_school: str, tokens: Tokens, scripted_relay: Relay,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    await scripted_relay.deliver_due()
    await scripted_relay.refresh_statuses()
    await scripted_relay.refresh_statuses()

    referral = await only_referral(school, dsl, incident_id)
    assert referral["police_status"] is not None
    assert await relay_rows(school, dsl, referral["id"]) == [
        "police_referral.send", "police_referral.deliver",
        "police_referral.status_refresh",  # the status call that follows the delivery
        "police_referral.status_refresh", "police_referral.status_refresh",
    ]


async def test_every_chain_still_verifies_after_two_relays_and_two_schools_dsls_wrote_to_it_at_once(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, another_school: str, tokens: Tokens,
    scripted_relay: Relay,
) -> None:
    dsls = {urn: bearer(tokens.school("dsl", urn)) for urn in (registered_school, another_school)}
    referred = {urn: [await refer(school, dsl) for _ in range(4)] for urn, dsl in dsls.items()}
    second_relay = Relay(scripted_relay.sessionmaker, scripted_relay.police, scripted_relay.settings, scripted_relay.clock)

    async def states_the_dsl_reads(urn: str) -> list[str]:
        return [(await only_referral(school, dsls[urn], incident_id))["delivery_state"] for incident_id in referred[urn]]

    for _ in range(10):  # other tests' messages that are due may fill a pass
        *_, seen, seen_too = await asyncio.gather(
            scripted_relay.deliver_due(), second_relay.deliver_due(), *(states_the_dsl_reads(urn) for urn in dsls)
        )
        if set(seen + seen_too) == {"delivered"}:
            break
    await asyncio.gather(scripted_relay.refresh_statuses(), *(states_the_dsl_reads(urn) for urn in dsls))

    runtime = school_app.state.runtime
    async with runtime.session(ALL_TENANTS) as session:
        report = await verify_chain(session, runtime.audit_model)
    assert report.intact, (report.first_broken_seq, report.problem)
    for urn, incident_ids in referred.items():
        for incident_id in incident_ids:
            referral = await only_referral(school, dsls[urn], incident_id)
            assert referral["delivery_state"] == "delivered"
            assert await relay_rows(school, dsls[urn], referral["id"]) == [
                "police_referral.send", "police_referral.deliver", "police_referral.status_refresh", "police_referral.status_refresh",
            ]
