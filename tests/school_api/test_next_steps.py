"""Issue 12, the missing steps of the guidance (UKCIS; APPX8 steps 1 to 8): each recorded through the API, shown
in the next-steps answer while it is open, and waited for by closing unless its reason is recorded (S-RECORD)."""
from __future__ import annotations

import httpx
import pytest

from tests.school_api.workflow import AT, School
from tests.support import Tokens

WHY = "Self-generated image shared with a partner; both willing; education input instead."


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


def rules_of(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["type"].endswith("/rule-violation"), body
    return [violation["rule"] for violation in body["violations"]]


def kinds(answer: dict) -> list[str]:
    return [step["kind"] for step in answer["steps"]]


async def close(s: School, incident: dict) -> httpx.Response:
    return await s.client.post(s.path(incident, "/close"), json={"resolution": "Resolved in school."}, headers={**s.dsl, "If-Match": await s.etag(incident)})


async def test_a_new_incident_lists_the_first_steps_with_their_rule_and_step(s: School) -> None:
    incident = await s.open()
    answer = await s.next_steps(incident)
    assert answer["incident_id"] == incident["id"] and answer["closable"] is False
    assert kinds(answer) == [
        "dsl_informed", "senior_management_informed", "initial_review_meeting", "child_account", "consider_exploitation", "risk_assessment",
    ]
    assert {(step["kind"], step["rule"], step["step"], step["required"]) for step in answer["steps"]} >= {
        ("initial_review_meeting", "S-INITIAL-REVIEW", 5, True),
        ("child_account", "S-CHILD-VOICE", 5, True),
        ("consider_exploitation", "S-CSE", 5, True),
    }


async def test_a_school_device_asks_to_block_the_network_and_isolate_the_image(s: School) -> None:
    incident = await s.open(device_ownership="school")
    step = next(step for step in (await s.next_steps(incident))["steps"] if step["kind"] == "block_network_and_isolate_image")
    assert step == {
        "kind": "block_network_and_isolate_image", "rule": "S-IMAGE", "step": 3, "required": True, "due_at": None,
        "text": "Device is a school device: block the network and isolate the image (step 3).",
    }
    assert (await s.action(incident, "network_blocked_image_isolated")).status_code == 201
    assert "block_network_and_isolate_image" not in kinds(await s.next_steps(incident))


async def test_a_school_device_recorded_later_asks_the_same(s: School) -> None:
    incident = await s.open(device_ownership="personal")
    assert "block_network_and_isolate_image" not in kinds(await s.next_steps(incident))
    await s.add_device(incident, ownership="school")
    assert "block_network_and_isolate_image" in kinds(await s.next_steps(incident))


async def test_the_initial_review_meeting_records_who_attended_and_what_was_decided(s: School) -> None:
    incident = await s.open()
    without_dsl = await s.hold_initial_review(incident, attendees=[{"name": "Mr Head", "role": "headteacher"}], decided="ok")
    assert without_dsl.status_code == 422 and rules_of(without_dsl) == ["S-INITIAL-REVIEW", "S-INITIAL-REVIEW"]
    held = await s.hold_initial_review(incident)
    assert held.status_code == 201, held.text
    assert [a["role"] for a in held.json()["attendees"]] == ["dsl", "headteacher"]
    listed = await s.client.get(s.path(incident, "/initial-reviews"), headers=s.head)
    assert [row["id"] for row in listed.json()["items"]] == [held.json()["id"]]
    assert "initial_review_meeting" not in kinds(await s.next_steps(incident))
    # The meeting has its own record; the plain log takes it only as not held, with the reason.
    logged = await s.action(incident, "initial_review_meeting")
    assert logged.status_code == 422 and rules_of(logged) == ["S-INITIAL-REVIEW"]


async def test_the_childs_own_account_is_attributed_to_the_child(s: School) -> None:
    incident = await s.open(disclosure_source="parent")
    child = await s.add_person(incident)
    parent = await s.add_person(incident, kind="adult", roles=["discloser"], sex="female", age_years=None)
    from_parent = await s.hear_child(incident, parent)
    assert from_parent.status_code == 422 and rules_of(from_parent) == ["S-CHILD-VOICE"]
    empty = await s.hear_child(incident, child, account=None, wishes=" ")
    assert empty.status_code == 422 and rules_of(empty) == ["S-CHILD-VOICE"]
    heard = await s.hear_child(incident, child)
    assert heard.status_code == 201, heard.text
    assert heard.json()["person_id"] == child["id"] and heard.json()["wishes"].startswith("I want it deleted")
    accounts = (await s.client.get(s.path(incident, "/child-accounts"), headers=s.dsl)).json()["items"]
    assert [(row["person_id"], row["given"]) for row in accounts] == [(child["id"], "in_person")]
    assert "child_account" not in kinds(await s.next_steps(incident))


async def test_considering_exploitation_is_a_written_judgement(s: School) -> None:
    incident = await s.open()
    bare = await s.action(incident, "exploitation_considered")
    assert bare.status_code == 422 and rules_of(bare) == ["S-CSE"]
    judged = await s.action(incident, "exploitation_considered", justification="No adult, no reward, no pressure: not CSE.")
    assert judged.status_code == 201, judged.text
    assert "consider_exploitation" not in kinds(await s.next_steps(incident))


async def test_managed_in_school_asks_for_deletion_with_a_deadline_and_a_confirmation(s: School) -> None:
    incident = await s.open()
    too_early = await s.client.post(
        s.path(incident, "/actions"),
        json={"kind": "deletion_requested", "taken": True, "performed_by": "DSL", "occurred_at": AT, "due_at": "2026-11-28T16:00:00Z"},
        headers=s.dsl,
    )
    # Before a decision to manage it in school the imagery may be evidence (S-IMAGE): nobody is asked to delete it.
    assert too_early.status_code == 422 and rules_of(too_early) == ["S-DELETE"]
    child = await s.add_person(incident)
    await s.ready_to_decide(incident)
    await s.record_initial_steps(incident, child)
    assert (await s.decide(incident, outcome="manage_in_school", reasons=WHY)).status_code == 201
    assert "ask_for_deletion" in kinds(await s.next_steps(incident))
    confirmed_first = await s.action(incident, "deletion_confirmed")
    assert confirmed_first.status_code == 422 and rules_of(confirmed_first) == ["S-DELETE"]
    no_deadline = await s.action(incident, "deletion_requested")
    assert no_deadline.status_code == 422 and rules_of(no_deadline) == ["S-DELETE"]
    asked = await s.client.post(
        s.path(incident, "/actions"),
        json={"kind": "deletion_requested", "taken": True, "performed_by": "DSL", "occurred_at": AT, "due_at": "2026-11-28T16:00:00Z"},
        headers=s.dsl,
    )
    assert asked.status_code == 201 and asked.json()["due_at"] == "2026-11-28T16:00:00Z"
    steps = (await s.next_steps(incident))["steps"]
    confirm = next(step for step in steps if step["kind"] == "confirm_deletion")
    assert confirm["rule"] == "S-DELETE" and confirm["required"] is True and confirm["due_at"] == "2026-11-28T16:00:00Z"
    assert "ask_for_deletion" not in [step["kind"] for step in steps]
    reviewed = await s.client.post(s.path(incident, "/review"), json={"outcome": "Resolved."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert reviewed.status_code == 201
    assert (await s.action(incident, "parents_informed")).status_code == 201
    waiting = await close(s, incident)
    assert waiting.status_code == 422 and rules_of(waiting) == ["S-DELETE"]
    assert (await s.action(incident, "deletion_confirmed")).status_code == 201
    answer = await s.next_steps(incident)
    assert answer["steps"] == [] and answer["closable"] is True
    assert (await close(s, incident)).status_code == 200


async def test_a_referred_incident_never_asks_for_deletion(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    assert (await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Aggravated: intent to harm.")).status_code == 201
    assert "ask_for_deletion" not in kinds(await s.next_steps(incident))
    refused = await s.client.post(
        s.path(incident, "/actions"),
        json={"kind": "deletion_requested", "taken": True, "performed_by": "DSL", "occurred_at": AT, "due_at": "2026-11-28T16:00:00Z"},
        headers=s.dsl,
    )
    assert refused.status_code == 422 and rules_of(refused) == ["S-DELETE"]


async def test_removal_help_is_an_action_with_its_outcome(s: School) -> None:
    incident = await s.open(where_image_ended_up="A public video-sharing site")
    steps = {step["kind"]: step for step in (await s.next_steps(incident))["steps"]}
    assert steps["report_remove_or_take_it_down"]["rule"] == "S-REMOVAL" and steps["report_remove_or_take_it_down"]["required"] is False
    assert steps["report_to_hosting_site"]["step"] == 6
    without = await s.action(incident, "take_it_down_advised")
    assert without.status_code == 422 and rules_of(without) == ["S-REMOVAL"]
    body = {"kind": "take_it_down_advised", "taken": True, "performed_by": "DSL", "occurred_at": AT, "outcome": "submitted"}
    advised = await s.client.post(s.path(incident, "/actions"), json=body, headers=s.dsl)
    assert advised.status_code == 201 and advised.json()["outcome"] == "submitted"
    stray = await s.client.post(s.path(incident, "/actions"), json={**body, "kind": "education_input"}, headers=s.dsl)
    assert stray.status_code == 422 and rules_of(stray) == ["S-REMOVAL"]
    assert "report_remove_or_take_it_down" not in kinds(await s.next_steps(incident))


async def test_an_adult_involved_suggests_a_ceop_report(s: School) -> None:
    incident = await s.open()
    assert "ceop_report" not in kinds(await s.next_steps(incident))
    await s.add_person(incident, kind="adult", roles=["requester"], sex="male", age_years=None)
    ceop = next(step for step in (await s.next_steps(incident))["steps"] if step["kind"] == "ceop_report")
    assert (ceop["rule"], ceop["required"]) == ("S-REMOVAL", False)


async def test_a_required_step_recorded_as_not_taken_with_its_reason_lets_the_incident_close(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    assert (await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Aggravated: intent to harm.")).status_code == 201
    reviewed = await s.client.post(s.path(incident, "/review"), json={"outcome": "Police led."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert reviewed.status_code == 201
    refused = await close(s, incident)
    assert refused.status_code == 422
    assert rules_of(refused) == ["S-INITIAL-REVIEW", "S-CHILD-VOICE", "S-CSE", "S-PARENTS"]
    for kind, reason in (
        ("initial_review_meeting", "The police were called at once; no school meeting was held."),
        ("child_account_heard", "The police interviewed the pupil; the school did not, at their request."),
        ("exploitation_considered", "Left to the police investigation, which is considering it."),
        ("parents_informed", "The police informed the parents themselves."),
    ):
        assert (await s.action(incident, kind, taken=False, justification=reason)).status_code == 201
    assert (await s.next_steps(incident))["closable"] is True
    assert (await close(s, incident)).status_code == 200
