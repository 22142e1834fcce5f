"""Steps of the school procedure over HTTP, shared by the school API tests."""
from __future__ import annotations

from typing import Any

import httpx

from tests.support import Tokens, bearer

AT = "2026-11-27T09:00:00Z"

NO_IMMEDIATE = {
    "adult_involved": False,
    "coercion_blackmail_grooming_or_capacity": False,
    "unusual_or_violent_acts": False,
    "imagery_involves_sexual_acts": False,
    "pictured_pupil_under_13": False,
    "immediate_risk_of_harm": False,
}
NO_FACTORS = {
    "significant_age_difference": False,
    "external_coercion_or_encouragement": False,
    "child_more_vulnerable": False,
    "severe_or_extreme_image": False,
    "widely_distributed": False,
    "not_first_time": False,
    "other_cause_for_concern": False,
}


class School:
    """One school's callers and the steps a test needs."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, urn: str) -> None:
        self.client = client
        self.urn = urn
        self.dsl = bearer(tokens.school("dsl", urn))
        self.head = bearer(tokens.school("headteacher", urn))
        self.staff = bearer(tokens.school("staff", urn))
        self.mis = bearer(tokens.school("mis", urn))

    async def open(self, headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"disclosed_at": AT, "disclosure_source": "pupil_about_self", "image_nature": "potentially_illegal", **fields}
        response = await self.client.post("/incidents", json=body, headers=headers or self.dsl)
        assert response.status_code == 201, response.text
        return response.json()

    def path(self, incident: dict[str, Any], suffix: str = "") -> str:
        return f"/incidents/{incident['id']}{suffix}"

    async def etag(self, incident: dict[str, Any]) -> str:
        response = await self.client.get(self.path(incident), headers=self.dsl)
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

    async def add_person(self, incident: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"kind": "pupil", "roles": ["pictured", "sender"], "sex": "female", "age_years": 14, **fields}
        response = await self.client.post(self.path(incident, "/people"), json=body, headers=self.dsl)
        assert response.status_code == 201, response.text
        return response.json()

    async def add_device(self, incident: dict[str, Any], ownership: str = "personal") -> httpx.Response:
        response = await self.client.post(self.path(incident, "/devices"), json={"ownership": ownership}, headers=self.dsl)
        assert response.status_code == 201, response.text
        return response

    async def custody_step(self, incident: dict[str, Any], device: httpx.Response, kind: str, **fields: Any) -> httpx.Response:
        """A step of the device's chain of custody, on the device's latest answer (its ETag); returns the new answer."""
        body = {"kind": kind, "occurred_at": AT, "by_whom": "Ms Example (DSL)", **fields}
        response = await self.client.post(
            self.path(incident, f"/devices/{device.json()['id']}/custody"), json=body, headers={**self.dsl, "If-Match": device.headers["ETag"]}
        )
        assert response.status_code == 201, response.text
        return response

    async def action(self, incident: dict[str, Any], kind: str, taken: bool = True, justification: str | None = None) -> httpx.Response:
        body = {"kind": kind, "taken": taken, "performed_by": "Ms Example (DSL)", "occurred_at": AT}
        if justification is not None:
            body["justification"] = justification
        return await self.client.post(self.path(incident, "/actions"), json=body, headers=self.dsl)

    async def inform_dsl_and_senior_management(self, incident: dict[str, Any]) -> None:
        for kind in ("dsl_informed", "senior_management_informed"):
            response = await self.action(incident, kind)
            assert response.status_code == 201, response.text

    async def hold_initial_review(self, incident: dict[str, Any], **fields: Any) -> httpx.Response:
        body = {
            "held_at": AT,
            "attendees": [{"name": "Ms Example", "role": "dsl"}, {"name": "Mr Head", "role": "headteacher"}],
            "decided": "Speak to the pupils involved today; assess the risk before deciding on a referral.",
            **fields,
        }
        return await self.client.post(self.path(incident, "/initial-reviews"), json=body, headers=self.dsl)

    async def hear_child(self, incident: dict[str, Any], person: dict[str, Any], **fields: Any) -> httpx.Response:
        body = {
            "person_id": person["id"], "given_at": AT, "given": "in_person", "heard_by": "Ms Example (DSL)",
            "account": "I sent it to him because he asked; I did not want it shared.",
            "wishes": "I want it deleted and I do not want my parents told yet.",
            **fields,
        }
        return await self.client.post(self.path(incident, "/child-accounts"), json=body, headers=self.dsl)

    async def record_initial_steps(self, incident: dict[str, Any], child: dict[str, Any]) -> None:
        """The steps closing waits for whatever the decision (S-INITIAL-REVIEW, S-CHILD-VOICE, S-CSE)."""
        for response in (
            await self.hold_initial_review(incident),
            await self.hear_child(incident, child),
            await self.action(incident, "exploitation_considered", justification="Both pupils are 15; no adult, no gain, no pressure reported."),
        ):
            assert response.status_code == 201, response.text

    async def finish_managing_in_school(self, incident: dict[str, Any]) -> None:
        """What a decision to manage in school leaves open before closing (S-PARENTS, S-DELETE)."""
        asked = await self.client.post(
            self.path(incident, "/actions"),
            json={"kind": "deletion_requested", "taken": True, "performed_by": "Ms Example (DSL)", "occurred_at": AT, "due_at": AT},
            headers=self.dsl,
        )
        assert asked.status_code == 201, asked.text
        for kind in ("parents_informed", "deletion_confirmed"):
            response = await self.action(incident, kind)
            assert response.status_code == 201, response.text

    async def next_steps(self, incident: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.get(self.path(incident, "/next-steps"), headers=self.dsl)
        assert response.status_code == 200, response.text
        return response.json()

    async def assess(
        self, incident: dict[str, Any], typology: str = "experimental_romantic", immediate: dict | None = None, factors: dict | None = None
    ) -> httpx.Response:
        body = {
            "immediate": {**NO_IMMEDIATE, **(immediate or {})},
            "factors": {**NO_FACTORS, **(factors or {})},
            "typology": typology,
        }
        return await self.client.post(self.path(incident, "/assessments"), json=body, headers=self.dsl)

    async def decide(self, incident: dict[str, Any], **body: Any) -> httpx.Response:
        body.setdefault("inform_parents", True)
        return await self.client.post(
            self.path(incident, "/decision"), json=body, headers={**self.dsl, "If-Match": await self.etag(incident)}
        )

    async def ready_to_decide(self, incident: dict[str, Any], **assessment: Any) -> None:
        await self.inform_dsl_and_senior_management(incident)
        response = await self.assess(incident, **assessment)
        assert response.status_code == 201, response.text


# The requests a DSL makes between opening an incident and deciding to refer it (S-DSL, then the risk
# assessment the lifecycle requires): suffix of /incidents/{id} and JSON body, in order. For tests outside
# tests/school_api that only need a referral to exist (hand-off, end to end).
READY_TO_REFER: list[tuple[str, dict[str, Any]]] = [
    ("/actions", {"kind": "dsl_informed", "taken": True, "performed_by": "DSL", "occurred_at": AT}),
    ("/actions", {"kind": "senior_management_informed", "taken": True, "performed_by": "DSL", "occurred_at": AT}),
    ("/assessments", {"immediate": NO_IMMEDIATE, "factors": NO_FACTORS, "typology": "aggravated_youth_intent_to_harm"}),
]
