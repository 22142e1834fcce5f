"""Issue 12, "wrong today" on the school side: each case as the guidance decides it, over HTTP on the real database."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from shared.clock import Clock
from tests.school_api.workflow import School
from tests.support import Tokens

WHY = "Self-generated image shared with a partner; both willing; education input instead."


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


def rules_of(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["type"].endswith("/rule-violation"), body
    return [violation["rule"] for violation in body["violations"]]


def details_of(response: httpx.Response) -> str:
    return " ".join(violation["message"] for violation in response.json()["violations"])


async def test_a_parent_who_disclosed_is_not_adult_involvement(s: School) -> None:
    # S-POLICE counts adults who take part in the conduct; a parent reporting it does not.
    incident = await s.open(disclosure_source="parent")
    await s.add_person(incident)
    await s.add_person(incident, kind="adult", roles=["discloser"], sex="female", age_years=None)
    await s.inform_dsl_and_senior_management(incident)
    assessed = await s.assess(incident, typology="experimental_romantic")
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["recommendation"] == "manage_in_school"
    assert "adult_involved" not in assessed.json()["immediate_criteria_met"]
    managed = await s.decide(incident, outcome="manage_in_school", reasons=WHY)
    assert managed.status_code == 201, managed.text


async def test_a_person_of_unknown_age_who_asked_for_the_image_is_possibly_an_adult(s: School) -> None:
    # S-POLICE "possibly involving ... adults": someone met online whose age is unknown asked for the image.
    incident = await s.open()
    await s.add_person(incident)
    await s.add_person(incident, kind="unknown", roles=["requester", "recipient"], sex="not_known", age_years=None)
    await s.inform_dsl_and_senior_management(incident)
    experimental = await s.assess(incident, typology="experimental_romantic")
    assert experimental.status_code == 422 and {"S-IMMEDIATE", "S-TYPOLOGY"} <= set(rules_of(experimental))
    assessed = await s.assess(incident, typology="aggravated_adult_involved", immediate={"adult_involved": True})
    assert assessed.json()["recommendation"] == "refer_police_immediately"
    refused = await s.decide(incident, outcome="refer_social_care", reasons=WHY)
    assert refused.status_code == 422 and "S-POLICE" in rules_of(refused)


async def test_managing_in_school_with_a_judgement_factor_needs_a_reason_for_each_factor(s: School) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident, factors={"significant_age_difference": True, "not_first_time": True})
    one_reason = await s.decide(incident, outcome="manage_in_school", reasons=WHY)
    assert one_reason.status_code == 422 and rules_of(one_reason) == ["S-FACTORS", "S-FACTORS"]
    assert "significant_age_difference" in details_of(one_reason) and "not_first_time" in details_of(one_reason)
    age = "Fifteen and seventeen, in the same sixth-form group; no power imbalance seen."
    half = await s.decide(incident, outcome="manage_in_school", reasons=WHY, factor_reasons={"significant_age_difference": age})
    assert half.status_code == 422 and rules_of(half) == ["S-FACTORS"]
    assert "not_first_time" in details_of(half) and "significant_age_difference" not in details_of(half)
    before = "The earlier incident was two years ago, at primary school, and was handled with the parents."
    managed = await s.decide(
        incident, outcome="manage_in_school", reasons=WHY, factor_reasons={"significant_age_difference": age, "not_first_time": before}
    )
    assert managed.status_code == 201, managed.text
    assert managed.json()["factor_reasons"] == {"significant_age_difference": age, "not_first_time": before}


async def test_a_recorded_coercer_makes_the_incident_not_experimental(s: School) -> None:
    incident = await s.open()
    await s.add_person(incident)
    await s.add_person(incident, kind="child_elsewhere", roles=["coercer", "recipient"], sex="male", age_years=16)
    await s.inform_dsl_and_senior_management(incident)
    experimental = await s.assess(incident, typology="experimental_romantic", immediate={"coercion_blackmail_grooming_or_capacity": True})
    assert experimental.status_code == 422 and rules_of(experimental) == ["S-TYPOLOGY"]
    answered_away = await s.assess(incident, typology="aggravated_youth_intent_to_harm")
    assert answered_away.status_code == 422 and rules_of(answered_away) == ["S-IMMEDIATE"]
    assessed = await s.assess(incident, typology="aggravated_youth_intent_to_harm", immediate={"coercion_blackmail_grooming_or_capacity": True})
    assert assessed.status_code == 201 and assessed.json()["recommendation"] == "refer_police_immediately"


async def test_a_social_care_referral_can_add_a_police_referral_later(
    school: httpx.AsyncClient, school_app, registered_school: str, tokens: Tokens, moved_clock: Clock
) -> None:
    s = School(school, tokens, registered_school)
    incident = await s.open()
    await s.ready_to_decide(incident, factors={"child_more_vulnerable": True})
    social_care = await s.decide(incident, outcome="refer_social_care", reasons="Looked-after child: the social worker leads.")
    assert social_care.status_code == 201 and social_care.json()["police_referral_id"] is None
    moved_clock.advance(timedelta(seconds=1))  # the police check token times against the wall clock
    # S-IMMEDIATE "at any later point": the new concern is assessed, then the police referral follows.
    later = await s.assess(incident, typology="aggravated_youth_intent_to_harm", immediate={"immediate_risk_of_harm": True})
    assert later.status_code == 201, later.text
    police = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="The pupil is now self-harming.")
    assert police.status_code == 201, police.text
    assert police.json()["police_referral_id"]
    assert await school_app.state.relay.deliver_due() >= 1
    referrals = (await school.get(s.path(incident, "/referrals"), headers=s.dsl)).json()["items"]
    assert [r["delivery_state"] for r in referrals] == ["delivered"], referrals
    moved_clock.advance(timedelta(seconds=1))
    assert (await s.assess(incident, typology="aggravated_youth_intent_to_harm", immediate={"immediate_risk_of_harm": True})).status_code == 201
    twice = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="Referred once already.")
    assert twice.status_code == 409


async def test_an_escalation_after_the_review_is_reviewed_again_before_closing(s: School, moved_clock: Clock) -> None:
    incident = await s.open()
    await s.ready_to_decide(incident)
    assert (await s.decide(incident, outcome="manage_in_school", reasons=WHY)).status_code == 201
    reviewed = await s.client.post(s.path(incident, "/review"), json={"outcome": "Resolved."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert reviewed.status_code == 201
    moved_clock.advance(timedelta(days=3))
    assert (await s.assess(incident, typology="aggravated_youth_intent_to_harm", immediate={"immediate_risk_of_harm": True})).status_code == 201
    escalated = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="The image resurfaced with threats.")
    assert escalated.status_code == 201, escalated.text
    closing = await s.client.post(s.path(incident, "/close"), json={"resolution": "Closed."}, headers={**s.dsl, "If-Match": await s.etag(incident)})
    assert closing.status_code == 422 and "S-REVIEW" in rules_of(closing)


async def test_the_immediate_criteria_reach_the_police_as_structured_data(
    school: httpx.AsyncClient, police: httpx.AsyncClient, school_app, registered_school: str, tokens: Tokens
) -> None:
    s = School(school, tokens, registered_school)
    incident = await s.open()
    await s.ready_to_decide(
        incident, typology="aggravated_youth_intent_to_harm",
        immediate={"immediate_risk_of_harm": True, "unusual_or_violent_acts": True},
    )
    decided = await s.decide(incident, outcome="refer_police", police_channel="101", reasons="At risk of immediate harm.")
    assert decided.status_code == 201, decided.text
    assert await school_app.state.relay.deliver_due() >= 1
    referral = (await school.get(s.path(incident, "/referrals"), headers=s.dsl)).json()["items"][0]
    officer = {"Authorization": f"Bearer {tokens.police('supervisor', '52')}"}
    reports = (await police.get("/reports", headers=officer)).json()["items"]
    report_id = next(r["id"] for r in reports if r["school_incident_reference"] == incident["reference"])
    report = await police.get(f"/reports/{report_id}", headers=officer)
    assert report.status_code == 200, report.text
    assert referral["police_reference"]
    assert report.json()["content"]["risk_assessment"]["immediate_criteria"] == ["unusual_or_violent_acts", "immediate_risk_of_harm"]
