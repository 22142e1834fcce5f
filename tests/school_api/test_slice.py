from __future__ import annotations

import httpx

from tests.school_api.workflow import School
from tests.support import Tokens


async def test_school_incident_referred_reaches_police_with_a_reference(
    school: httpx.AsyncClient, school_app, registered_school: str, tokens: Tokens
) -> None:
    s = School(school, tokens, registered_school)
    incident = await s.open()
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    decided = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Aggravated: intent to harm.")
    assert decided.status_code == 201, decided.text
    assert await school_app.state.relay.deliver_due() >= 1
    referrals = (await school.get(f"/incidents/{incident['id']}/referrals", headers=s.dsl)).json()["items"]
    assert referrals[0]["delivery_state"] == "delivered", referrals
    assert referrals[0]["police_reference"].startswith("52-")
