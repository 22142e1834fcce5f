from __future__ import annotations

import httpx

from tests.support import Tokens, bearer


async def test_school_incident_referred_reaches_police_with_a_reference(
    school: httpx.AsyncClient, school_app, registered_school: str, tokens: Tokens
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    created = await school.post(
        "/incidents",
        json={"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "pupil_about_self", "image_nature": "potentially_illegal"},
        headers=dsl,
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    decided = await school.post(
        f"/incidents/{incident['id']}/decision",
        json={"outcome": "refer_police", "police_channel": "101", "reasons": "S-IMMEDIATE"},
        headers={**dsl, "If-Match": created.headers["ETag"]},
    )
    assert decided.status_code == 201, decided.text
    assert await school_app.state.relay.deliver_due() >= 1
    referrals = (await school.get(f"/incidents/{incident['id']}/referrals", headers=dsl)).json()
    assert referrals[0]["delivery_state"] == "delivered", referrals
    assert referrals[0]["police_reference"].startswith("52-")
