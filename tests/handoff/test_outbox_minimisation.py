"""The outbox keeps no personal data after delivery (issue 14, minimisation): a delivered message holds
which report went where, not the children's names, dates of birth or the texts; before delivery the
full report stays, so a retry sends the same request under the same key."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from services.school_api.referrals.relay import Relay
from services.school_api.referrals.vocabulary import OutboxState
from shared.clock import Clock
from tests.handoff.conftest import outbox_of
from tests.handoff.support import ScriptedPolice, for_incident, only_referral, problem
from tests.school_api.workflow import School
from tests.support import Tokens

PUPIL = {"given_name": "Wilhelmina", "family_name": "Strachan", "date_of_birth": "2011-04-02", "age_years": None}


async def referred_with_a_pupil(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> dict[str, Any]:
    s = School(school, tokens, urn)
    incident = await s.open(narrative="MINIMISATION-MARKER narrative.", where_image_ended_up="MINIMISATION-MARKER chat.")
    await s.add_person(incident, **PUPIL)
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    decided = await s.decide(incident, outcome="refer_police", police_channel="scpo", reasons="S-POLICE")
    assert decided.status_code == 201, decided.text
    return incident


async def test_a_delivered_message_keeps_only_which_report_went_where(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens
) -> None:
    incident = await referred_with_a_pupil(school, tokens, registered_school)
    queued = (await outbox_of(school_app, incident["id"])).payload
    assert queued["people"][0]["given_name"] == "Wilhelmina"  # the full report waits for delivery

    await school_app.state.relay.deliver_due()

    message = await outbox_of(school_app, incident["id"])
    assert message.state is OutboxState.done
    referral = await only_referral(school, School(school, tokens, registered_school).dsl, incident["id"])
    assert message.payload == {
        "minimised": True,
        "school_incident_id": incident["id"],
        "school_incident_reference": incident["reference"],
        "police_reference": referral["police_reference"],
        "delivered_at": message.completed_at.isoformat(),
    }
    stored = json.dumps(message.payload)
    for personal in ("Wilhelmina", "Strachan", "2011-04-02", "MINIMISATION-MARKER"):
        assert personal not in stored


async def test_a_message_awaiting_a_retry_keeps_the_full_report_and_the_retry_delivers_it(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens, moved_clock: Clock,
    wire: ScriptedPolice, scripted_relay: Relay,
) -> None:
    incident = await referred_with_a_pupil(school, tokens, registered_school)
    wire.script = for_incident(incident["id"], problem(503, "unavailable", "Unavailable", "Down for maintenance."))
    await scripted_relay.deliver_due()
    waiting = await outbox_of(school_app, incident["id"])
    assert waiting.state is OutboxState.pending and waiting.attempts == 1
    assert waiting.payload["people"][0]["family_name"] == "Strachan"

    moved_clock.advance(waiting.available_at - moved_clock.now() + timedelta(seconds=1))
    await scripted_relay.deliver_due()

    delivered = await outbox_of(school_app, incident["id"])
    assert delivered.state is OutboxState.done and delivered.payload["minimised"] is True
    assert wire.sends_per_key()[waiting.idempotency_key] == 2  # the retry was the same request, under the same key
