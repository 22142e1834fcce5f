"""Issue 3, acceptance 3: each refusal of the guidance, over HTTP with the real database."""
from __future__ import annotations

import base64

import httpx
import pytest

from tests.school_api.workflow import AT, School
from tests.support import Tokens, bearer, fresh_urn

WHY = "Self-generated image shared with a partner; both willing; education input instead."


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


def rules_of(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["type"].endswith("/rule-violation"), body
    return [violation["rule"] for violation in body["violations"]]


async def test_adult_involved_cannot_be_managed_in_school(s: School) -> None:
    incident = await s.open()
    await s.add_person(incident, kind="adult", roles=["recipient"], sex="male", age_years=None)
    await s.inform_dsl_and_senior_management(incident)
    contradicting = await s.assess(incident, typology="experimental_romantic")
    assert contradicting.status_code == 422
    assert {"S-IMMEDIATE", "S-TYPOLOGY"} <= set(rules_of(contradicting))
    assessed = await s.assess(incident, typology="aggravated_adult_involved", immediate={"adult_involved": True})
    assert assessed.json()["recommendation"] == "refer_police_immediately"
    refused = await s.decide(incident, outcome="manage_in_school", reasons=WHY)
    assert refused.status_code == 422
    assert "S-POLICE" in rules_of(refused)
    assert (await s.decide(incident, outcome="refer_social_care", reasons=WHY)).status_code == 422


async def test_experimental_not_referred_needs_written_reasons(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident, typology="experimental_romantic")
    refused = await s.decide(incident, outcome="manage_in_school")
    assert refused.status_code == 422 and rules_of(refused) == ["S-POLICE"]
    managed = await s.decide(incident, outcome="manage_in_school", reasons=WHY)
    assert managed.status_code == 201, managed.text
    actions = (await s.client.get(s.path(incident, "/actions"), headers=s.dsl)).json()["items"]
    assert {"kind": "police_referral", "taken": False} in [{"kind": a["kind"], "taken": a["taken"]} for a in actions]


async def test_aggravated_managed_in_school_needs_written_reasons(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    refused = await s.decide(incident, outcome="manage_in_school")
    assert refused.status_code == 422 and rules_of(refused) == ["S-POLICE"]
    assert (await s.decide(incident, outcome="manage_in_school", reasons=WHY)).status_code == 201


async def test_not_informing_parents_without_a_reason_is_refused(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident)
    why = "Referred to children's social care: the concern is at home, not a crime."
    refused = await s.decide(incident, outcome="refer_social_care", reasons=why, inform_parents=False)
    assert refused.status_code == 422 and rules_of(refused) == ["S-PARENTS"]
    ok = await s.decide(
        incident, outcome="refer_social_care", reasons=why, inform_parents=False,
        parents_not_informed_reason="A parent is the alleged source of pressure.",
    )
    assert ok.status_code == 201, ok.text


async def test_decision_before_senior_management_is_informed_is_refused(s: School) -> None:
    incident = await s.open()
    assert (await s.assess(incident)).status_code == 201
    refused = await s.decide(incident, outcome="refer_police")
    assert refused.status_code == 422 and rules_of(refused) == ["S-DSL", "S-DSL"]


async def test_decision_before_a_risk_assessment_is_refused(s: School) -> None:
    incident = await s.open()
    await s.inform_dsl_and_senior_management(incident)
    refused = await s.decide(incident, outcome="refer_police")
    assert refused.status_code == 409 and refused.json()["type"].endswith("/invalid-transition")


async def test_search_without_the_conditions_is_refused_naming_each(s: School) -> None:
    incident = await s.open()
    device = (await s.client.post(s.path(incident, "/devices"), json={"ownership": "personal"}, headers=s.dsl)).json()
    refused = await s.client.post(
        s.path(incident, "/searches"),
        json={
            "device_id": device["id"], "searched_by": "Mr Teacher", "searcher_same_sex_as_pupil": False,
            "in_line_with_school_policy": True, "would_add_distress": True, "searched_at": AT,
        },
        headers=s.dsl,
    )
    assert refused.status_code == 422
    messages = [v["message"] for v in refused.json()["violations"]]
    assert rules_of(refused) == ["S-SEARCH"] * 4 + ["S-CHILD-FIRST"]
    assert any("headteacher" in m for m in messages) and any("same sex" in m for m in messages)
    assert any("safeguarding team" in m for m in messages) and any("stress" in m for m in messages)
    searches = (await s.client.get(s.path(incident, "/searches"), headers=s.dsl)).json()["items"]
    assert searches == []


async def test_device_search_cannot_be_logged_as_a_plain_action(s: School) -> None:
    incident = await s.open()
    refused = await s.action(incident, "device_searched", justification="Searched the phone at break time.")
    assert refused.status_code == 422 and rules_of(refused) == ["S-SEARCH"]


async def test_only_a_headteacher_authorises(s: School) -> None:
    incident = await s.open()
    body = {"kind": "image_viewing", "reason": "To confirm the nature of the image."}
    assert (await s.client.post(s.path(incident, "/authorisations"), json=body, headers=s.dsl)).status_code == 403


@pytest.mark.parametrize("role", ["headteacher", "staff"])
async def test_image_viewing_by_a_non_dsl_is_refused(s: School, tokens: Tokens, role: str) -> None:
    caller = bearer(tokens.school(role, s.urn))
    incident = await s.open(headers=caller if role == "staff" else None)
    agreed = await s.client.post(
        s.path(incident, "/authorisations"), json={"kind": "image_viewing", "reason": "To confirm the nature of the image."}, headers=s.head
    )
    body = {
        "authorisation_id": agreed.json()["id"], "reason": "To confirm whether the image is indecent.",
        "distress_judgement": "Viewed privately; pupil not present.", "viewed_at": AT,
    }
    refused = await s.client.post(s.path(incident, "/image-viewings"), json=body, headers=caller)
    assert refused.status_code == 422 and rules_of(refused) == ["S-IMAGE"]
    viewed = await s.client.post(s.path(incident, "/image-viewings"), json=body, headers=s.dsl)
    assert viewed.status_code == 201, viewed.text


async def test_image_viewing_without_head_agreement_or_reason_is_refused(s: School) -> None:
    incident = await s.open()
    refused = await s.client.post(s.path(incident, "/image-viewings"), json={"viewed_at": AT}, headers=s.dsl)
    assert refused.status_code == 422
    assert rules_of(refused) == ["S-IMAGE", "S-IMAGE", "S-CHILD-FIRST"]
    logged = await s.action(incident, "image_viewed", justification="Looked at it to check.")
    assert logged.status_code == 422 and rules_of(logged) == ["S-IMAGE"]


async def test_device_is_never_marked_image_deleted(s: School) -> None:
    incident = await s.open()
    device = await s.client.post(s.path(incident, "/devices"), json={"ownership": "personal"}, headers=s.dsl)
    refused = await s.client.post(
        s.path(incident, f"/devices/{device.json()['id']}/custody"),
        json={"kind": "image_deleted", "occurred_at": AT, "by_whom": "Mr Teacher"},
        headers={**s.dsl, "If-Match": device.headers["ETag"]},
    )
    assert refused.status_code == 422 and rules_of(refused) == ["S-IMAGE"]


async def test_action_not_taken_without_justification_is_refused(s: School) -> None:
    incident = await s.open()
    refused = await s.action(incident, "parents_informed", taken=False)
    assert refused.status_code == 422 and rules_of(refused) == ["S-RECORD"]


async def test_closing_without_review_is_refused(s: School) -> None:
    incident = await s.open()
    refused = await s.client.post(s.path(incident, "/close"), json={"resolution": "Resolved in school."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert refused.status_code == 422
    assert rules_of(refused).count("S-REVIEW") == 2 and "S-DSL" in rules_of(refused)
    await s.ready_to_decide(incident)
    assert (await s.decide(incident, outcome="manage_in_school", reasons=WHY)).status_code == 201
    refused = await s.client.post(s.path(incident, "/close"), json={"resolution": "Resolved in school."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert refused.status_code == 422 and rules_of(refused) == ["S-REVIEW"]
    reviewed = await s.client.post(s.path(incident, "/review"), json={"outcome": "Resolved."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert reviewed.status_code == 201
    closed = await s.client.post(s.path(incident, "/close"), json={"resolution": "Resolved in school."}, headers={**s.dsl, "If-Match": reviewed.headers["ETag"]})
    assert closed.status_code == 200
    after = await s.action(incident, "education_input")
    assert after.status_code == 409


async def test_base64_jpeg_in_a_text_field_is_refused(s: School) -> None:
    incident = await s.open()
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" * 8).decode()
    refused = await s.client.post(s.path(incident, "/observations"), json={"observed_at": AT, "text": f"Here it is: {jpeg}"}, headers=s.dsl)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/image-refused")
    data_uri = await s.client.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["pictured"], "given_name": "data:image/png;base64,iVBORw0KGgo="}, headers=s.dsl)
    assert data_uri.status_code == 422 and data_uri.json()["type"].endswith("/image-refused")


async def test_non_json_upload_is_refused(s: School) -> None:
    incident = await s.open()
    upload = await s.client.post(
        s.path(incident, "/observations"), files={"file": ("image.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg")}, headers=s.dsl
    )
    assert upload.status_code == 422 and upload.json()["type"].endswith("/image-refused")
    raw = await s.client.post(s.path(incident, "/devices"), content=b"\xff\xd8\xff\xe0", headers={**s.dsl, "Content-Type": "image/jpeg"})
    assert raw.status_code == 422 and raw.json()["type"].endswith("/image-refused")


async def test_one_school_cannot_read_another_schools_incident(s: School, tokens: Tokens) -> None:
    incident = await s.open()
    person = await s.add_person(incident)
    other = bearer(tokens.school("dsl", fresh_urn()))
    for suffix in ("", "/people", f"/people/{person['id']}", "/chronology", "/chronology/print", "/actions", "/assessments"):
        response = await s.client.get(s.path(incident, suffix), headers=other)
        assert response.status_code == 404, (suffix, response.text)
    written = await s.client.post(s.path(incident, "/actions"), json={"kind": "education_input", "taken": True, "performed_by": "x", "occurred_at": AT}, headers=other)
    assert written.status_code == 404


async def test_invalid_upn_check_letter_is_refused(s: School) -> None:
    incident = await s.open()
    refused = await s.client.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["pictured"], "upn": "A801200005001"}, headers=s.dsl)
    assert refused.status_code == 422
    both = await s.client.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["pictured"], "age_years": 14, "date_of_birth": "2012-01-01"}, headers=s.dsl)
    assert both.status_code == 422
    adult_upn = await s.client.post(s.path(incident, "/people"), json={"kind": "adult", "roles": ["recipient"], "upn": "B801200005001"}, headers=s.dsl)
    assert adult_upn.status_code == 422


async def test_updates_need_if_match_and_refuse_a_stale_one(s: School) -> None:
    incident = await s.open()
    person = await s.client.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["sender"]}, headers=s.dsl)
    url = s.path(incident, f"/people/{person.json()['id']}")
    assert (await s.client.patch(url, json={"year_group": 9}, headers=s.dsl)).status_code == 428
    updated = await s.client.patch(url, json={"year_group": 9}, headers={**s.dsl, "If-Match": person.headers["ETag"]})
    assert updated.status_code == 200 and updated.json()["year_group"] == 9
    stale = await s.client.patch(url, json={"year_group": 10}, headers={**s.dsl, "If-Match": person.headers["ETag"]})
    assert stale.status_code == 412
    assert (await s.client.patch(s.path(incident), json={"sharing_extent": "widely"}, headers=s.dsl)).status_code == 428
    patched = await s.client.patch(s.path(incident), json={"sharing_extent": "widely"}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert patched.status_code == 200 and patched.json()["sharing_extent"] == "widely"
    # Wide sharing is now on the record: the assessment cannot say otherwise (S-FACTORS).
    contradicting = await s.assess(incident)
    assert contradicting.status_code == 422 and rules_of(contradicting) == ["S-FACTORS"]


async def test_person_update_switches_between_date_of_birth_and_age_and_keeps_upn_for_pupils(s: School) -> None:
    incident = await s.open()
    created = await s.client.post(s.path(incident, "/people"), json={"kind": "pupil", "roles": ["sender"], "age_years": 14, "upn": "B801200005001"}, headers=s.dsl)
    url = s.path(incident, f"/people/{created.json()['id']}")
    dob = await s.client.patch(url, json={"date_of_birth": "2012-02-02"}, headers={**s.dsl, "If-Match": created.headers["ETag"]})
    assert dob.status_code == 200 and dob.json()["age_years"] is None and dob.json()["date_of_birth"] == "2012-02-02"
    adult = await s.client.patch(url, json={"kind": "adult"}, headers={**s.dsl, "If-Match": dob.headers["ETag"]})
    assert adult.status_code == 422
    assert (await s.client.get(url, headers=s.dsl)).json()["kind"] == "pupil"


async def test_later_immediate_concern_escalates_an_incident_managed_in_school(s: School, moved_clock) -> None:
    from datetime import timedelta

    incident = await s.open()
    await s.ready_to_decide(incident, typology="experimental_romantic")
    assert (await s.decide(incident, outcome="manage_in_school", reasons=WHY)).status_code == 201
    again = await s.decide(incident, outcome="refer_police", reasons="Second thoughts without a new assessment.")
    assert again.status_code == 409
    moved_clock.advance(timedelta(minutes=5))
    later = await s.assess(incident, typology="experimental_romantic", immediate={"immediate_risk_of_harm": True})
    assert later.status_code == 201 and later.json()["recommendation"] == "refer_police_immediately"
    kept = await s.decide(incident, outcome="manage_in_school", reasons=WHY)
    assert kept.status_code == 409
    escalated = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Pupil now presenting as self-harming.")
    assert escalated.status_code == 201, escalated.text
    assert (await s.client.get(s.path(incident), headers=s.dsl)).json()["status"] == "referred"
