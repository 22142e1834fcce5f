"""Status back to the school. After the police finalise Outcome 21, the school's referral shows it
without any call from the school user: the relay follows the school's status feed at the police
(GET /status-changes, a long poll answered as each change commits; docs/handoff.md).

The police side is worked through its real endpoints (services/police_api: crimes, route, PPU,
restorative meeting, education, victim contact, outcome proposal and finalisation).
"""
from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.school_api.referrals.models import PoliceReferral
from services.school_api.referrals.relay import Relay
from services.school_api.settings import SchoolSettings
from shared.tenancy import ALL_TENANTS
from tests.conftest import FORCE
from tests.handoff.support import ScriptedPolice, only_referral, refer, running_relay
from tests.school_api.workflow import School
from tests.support import Tokens, bearer


async def _refer_experimental_case(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> str:
    """Two pupils, experimental (S-TYPOLOGY), referred to the Safer Schools officer by the DSL's judgement."""
    steps = School(school, tokens, urn)
    incident = await steps.open()
    await steps.add_person(incident, roles=["pictured", "sender"], given_name="Alex", family_name="Example")
    await steps.add_person(
        incident, roles=["recipient", "possessor"], sex="male", age_years=15, given_name="Sam", family_name="Example"
    )
    await steps.ready_to_decide(incident, typology="experimental_romantic")
    decided = await steps.decide(incident, outcome="refer_police", police_channel="scpo", reasons="DSL judgement: refer to SSO.")
    assert decided.status_code == 201, decided.text
    return incident["id"]


async def _police_finalise_outcome_21(police: httpx.AsyncClient, tokens: Tokens, police_incident_id: str) -> None:
    """What the officers do: the experimental case to Outcome 21 on the SCPO route, then finalise."""
    scpo, supervisor, ppu = (bearer(tokens.police(role, FORCE)) for role in ("scpo", "supervisor", "ppu"))
    links = (await police.get(f"/incidents/{police_incident_id}/links", headers=scpo)).json()["items"]
    by_roles = {tuple(sorted(link["reported_roles"])): link for link in links}
    victim, involved = by_roles[("pictured", "sender")], by_roles[("possessor", "recipient")]
    crime = await police.post(
        f"/incidents/{police_incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    crime_id = crime.json()["id"]
    assessment = await police.get(f"/incidents/{police_incident_id}/assessment", headers=scpo)
    routed = await police.post(
        f"/incidents/{police_incident_id}/route",
        json={"route": "scpo", "no_prosecution_reason": "Experimental, consensual, no aggravating features."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    assert routed.status_code == 200, routed.text
    for notification in (await police.get(f"/incidents/{police_incident_id}/ppu-notifications", headers=ppu)).json()["items"]:
        acknowledged = await police.post(
            f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": f'"v{notification["version"]}"'}
        )
        assert acknowledged.status_code == 200, acknowledged.text
    meeting = await police.post(
        f"/incidents/{police_incident_id}/restorative-meetings",
        json={
            "held_on": "2026-12-01",
            "attendees": [
                {"person_id": victim["person_id"], "description": "victim"},
                {"person_id": involved["person_id"], "description": "person involved"},
            ],
            "outcome": "Both understood the harm.",
        },
        headers=scpo,
    )
    assert meeting.status_code == 201, meeting.text
    for kind, person in (("assembly", None), ("victim_input", victim["person_id"]), ("offender_input", involved["person_id"])):
        education = await police.post(
            f"/incidents/{police_incident_id}/education",
            json={"kind": kind, "delivered_on": "2026-12-02", "person_id": person, "description": "Law and consent."},
            headers=scpo,
        )
        assert education.status_code == 201, education.text
    contact = await police.post(
        f"/crimes/{crime_id}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
              "method": "telephone"},
        headers=scpo,
    )
    assert contact.status_code == 201, contact.text
    current = await police.get(f"/crimes/{crime_id}", headers=scpo)
    proposal = await police.post(
        f"/crimes/{crime_id}/outcome-proposal",
        json={"code": 21, "public_interest_rationale": "Non-abusive; prosecution would not serve the child."},
        headers={**scpo, "If-Match": current.headers["ETag"]},
    )
    assert proposal.status_code == 200, proposal.text
    final = await police.post(
        f"/crimes/{crime_id}/outcome", json={"code": 21}, headers={**supervisor, "If-Match": proposal.headers["ETag"]}
    )
    assert final.status_code == 200, final.text
    incident = await police.get(f"/incidents/{police_incident_id}", headers=supervisor)
    finalised = await police.post(
        f"/incidents/{police_incident_id}/finalise", headers={**supervisor, "If-Match": incident.headers["ETag"]}
    )
    assert finalised.status_code == 200, finalised.text


async def _stored_status(school_app: Any, incident_id: str) -> dict[str, Any] | None:
    """Read the referral straight from the school database: waiting must not be a call by the DSL."""
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        referral = await session.scalar(select(PoliceReferral).where(PoliceReferral.incident_id == uuid.UUID(incident_id)))
        return referral.police_status if referral is not None else None


async def test_outcome_21_finalised_by_the_police_reaches_the_dsl_through_the_status_feed(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens
) -> None:
    incident_id = await _refer_experimental_case(school, tokens, registered_school)
    async with running_relay(school_app, feed_wait_seconds=20):  # deliver, and follow the school's feed
        while (await _stored_status(school_app, incident_id)) is None:
            await asyncio.sleep(0.05)
        first = await _stored_status(school_app, incident_id)
        assert first is not None and first["finalised"] is False and first["outcome_codes"] == []

        dsl = bearer(tokens.school("dsl", registered_school))
        referral = await only_referral(school, dsl, incident_id)
        assert referral["delivery_state"] == "delivered"
        receipt_incident = await _police_incident_of(school_app, police, tokens, referral["police_reference"])
        await _police_finalise_outcome_21(police, tokens, receipt_incident)

        started = time.monotonic()
        while not ((await _stored_status(school_app, incident_id)) or {}).get("finalised"):
            # Well inside the 20 s the long poll is held: the change is pushed as it commits.
            assert time.monotonic() - started < 10, "the status feed did not bring the outcome back"
            await asyncio.sleep(0.05)

    referral = await only_referral(school, dsl, incident_id)
    status = referral["police_status"]
    assert status["outcome_codes"] == [21] and status["outcome"].startswith("Outcome 21")
    assert status["finalised"] is True and status["route"] == "scpo"
    assert status["crimes_recorded"] == 1 and status["crime_decision_made"] is True and status["ppu_notified"] is True
    assert status["police_reference"] == referral["police_reference"]
    assert referral["police_status_checked_at"] is not None
    # With the time of each step the school may know of.
    assert all(status[moment] is not None for moment in ("crime_decision_at", "ppu_notified_at", "routed_at", "finalised_at"))


async def test_a_follower_that_dies_before_applying_a_page_loses_no_status_change(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens
) -> None:
    first = await _refer_experimental_case(school, tokens, registered_school)
    second = await _refer_experimental_case(school, tokens, registered_school)
    relay: Relay = school_app.state.relay
    await relay.deliver_due()
    follower = relay.follower
    assert await follower.follow_once(registered_school, wait_seconds=0) == 2  # both received
    dsl = bearer(tokens.school("dsl", registered_school))
    for incident_id in (first, second):
        referral = await only_referral(school, dsl, incident_id)
        await _police_record_crime(police, tokens, await _police_incident_of(school_app, police, tokens, referral["police_reference"]))

    applied: list[uuid.UUID] = []
    real_audit = follower.audit

    async def dies_after_one(session: Any, urn: str, operation: str, referral_id: uuid.UUID) -> None:
        if applied:
            raise RuntimeError("the follower's process is killed half-way through the page")
        applied.append(referral_id)
        await real_audit(session, urn, operation, referral_id)

    follower.audit = dies_after_one
    with pytest.raises(RuntimeError):
        await follower.follow_once(registered_school, wait_seconds=0)
    follower.audit = real_audit
    for incident_id in (first, second):  # nothing of the half-applied page was kept
        assert (await _stored_status(school_app, incident_id))["crimes_recorded"] == 0

    assert await follower.follow_once(registered_school, wait_seconds=0) == 2  # from the old position
    for incident_id in (first, second):
        assert (await _stored_status(school_app, incident_id))["crimes_recorded"] == 1
    assert await follower.follow_once(registered_school, wait_seconds=0) == 0  # and nothing twice


async def _police_record_crime(police: httpx.AsyncClient, tokens: Tokens, police_incident_id: str) -> None:
    scpo = bearer(tokens.police("scpo", FORCE))
    links = (await police.get(f"/incidents/{police_incident_id}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if "pictured" in link["reported_roles"])
    crime = await police.post(
        f"/incidents/{police_incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text


async def _police_incident_of(school_app: Any, police: httpx.AsyncClient, tokens: Tokens, reference: str) -> str:
    officer = bearer(tokens.police("supervisor", FORCE))
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        referral = await session.scalar(select(PoliceReferral).where(PoliceReferral.police_reference == reference))
    report = await police.get(f"/reports/{referral.police_report_id}", headers=officer)
    assert report.status_code == 200, report.text
    return report.json()["police_incident_id"]


async def test_a_finalised_referral_is_no_longer_polled_and_an_open_one_survives_a_police_outage(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens,
    wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    await scripted_relay.deliver_due()
    await scripted_relay.refresh_statuses()
    before = await _stored_status(school_app, incident_id)
    assert before is not None and before["finalised"] is False

    def police_down(request: httpx.Request) -> httpx.Response | None:
        raise httpx.ConnectError("connection refused", request=request)

    wire.script = police_down
    await scripted_relay.refresh_statuses()  # nothing lost, nothing raised: the next interval asks again
    assert await _stored_status(school_app, incident_id) == before

    wire.script = lambda request: None
    report_id = (await only_referral(school, dsl, incident_id))["police_status"]
    assert report_id is not None
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        referral = await session.scalar(select(PoliceReferral).where(PoliceReferral.incident_id == uuid.UUID(incident_id)))
        referral.police_case_closed = True  # as the poll records once the police answer `finalised`
        await session.commit()
        polled_path = f"/reports/{referral.police_report_id}/status"
    polls_before = wire.calls("GET", polled_path)
    await scripted_relay.refresh_statuses()
    assert wire.calls("GET", polled_path) == polls_before


def test_a_long_poll_is_held_50_seconds_by_default_and_never_longer_than_the_police_hold_it() -> None:
    assert SchoolSettings.model_fields["feed_wait_seconds"].default == 50
    with pytest.raises(ValidationError):
        SchoolSettings(feed_wait_seconds=56)
