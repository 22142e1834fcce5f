"""Issue 12, the police side, through the HTTP API: "adult involved" in the report contract's one meaning,
children linked as victims, findings never set aside silently, and the missing steps of FLOW, HOCR and
the College of Policing (third-party rule, N100, age of criminal responsibility, triage priority)."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import select

from services.police_api.settings import PoliceSettings
from shared.tenancy import ALL_TENANTS
from tests.conftest import FORCE
from tests.police_api.conftest import random_upn, report_payload, reported_person
from tests.support import bearer


def rules_of(answer: httpx.Response) -> set[str]:
    return {violation["rule"] for violation in answer.json().get("violations", [])}


def messages_of(answer: httpx.Response) -> list[str]:
    return [violation["message"] for violation in answer.json().get("violations", [])]


async def links_by_roles(police: httpx.AsyncClient, incident_id: str, headers: dict[str, str]) -> dict[tuple[str, ...], dict]:
    links = (await police.get(f"/incidents/{incident_id}/links", headers=headers)).json()["items"]
    return {tuple(link["reported_roles"]): link for link in links}


async def test_a_child_sending_an_image_to_an_adult_routes_to_cid_and_outcome_21_is_refused(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(
        report_payload(
            [reported_person(["pictured", "sender"]), reported_person(["recipient"], kind="adult", date_of_birth=date(1990, 1, 1))],
            typology="experimental_romantic",
        )
    )
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    links = await links_by_roles(police, incident_id, scpo)
    adult = links[("recipient",)]
    child = links[("pictured", "sender")]
    assert adult["role"] == "suspect" and child["role"] == "victim"
    assessment = (await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)).json()
    assert assessment["adult_implicated"] is True and assessment["adult_person_ids"] == [adult["person_id"]]
    assert assessment["computed_route"] == "cid"
    assert {r["rule"] for r in assessment["computed_reasons"]} == {"P-ROUTE"}
    crime = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": child["person_id"], "offence_code": "86/10"}, headers=scpo)
    assert crime.status_code == 201, crime.text
    proposal = await police.post(
        f"/crimes/{crime.json()['id']}/outcome-proposal",
        json={"code": 21, "public_interest_rationale": "Low harm."},
        headers={**scpo, "If-Match": crime.headers["ETag"]},
    )
    assert proposal.status_code == 422
    assert "An adult is implicated: Outcome 21 does not apply." in messages_of(proposal)


async def test_a_person_of_unknown_age_online_who_asked_for_the_image_makes_the_incident_possibly_adult_involved(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(
        report_payload(
            [reported_person(["pictured", "sender"]), reported_person(["requester", "recipient"], kind="unknown", date_of_birth=None)],
            typology="experimental_sexual_attention_seeking",
        )
    )
    scpo = officer("scpo")
    assessment = (await police.get(f"/incidents/{receipt['police_incident_id']}/assessment", headers=scpo)).json()
    assert assessment["adult_implicated"] is True and assessment["computed_route"] == "cid"


async def test_a_parent_who_disclosed_does_not_make_the_incident_adult_involved(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(
        report_payload(
            [reported_person(["pictured", "sender"]), reported_person(["discloser"], kind="adult", date_of_birth=date(1985, 5, 5))],
            typology="experimental_romantic",
        )
    )
    scpo = officer("scpo")
    assessment = (await police.get(f"/incidents/{receipt['police_incident_id']}/assessment", headers=scpo)).json()
    assert assessment["adult_implicated"] is False and assessment["computed_route"] == "scpo"


async def test_a_child_who_shared_only_their_own_image_in_a_non_aggravated_case_is_linked_as_a_victim(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["recipient"])], typology="experimental_romantic"))
    links = await links_by_roles(police, receipt["police_incident_id"], officer("scpo"))
    assert links[("pictured", "sender")]["role"] == "victim"
    assert links[("pictured", "sender")]["role_set_by_officer"] is False
    assert links[("recipient",)]["role"] == "witness"


async def test_possessors_in_a_group_chat_who_did_not_distribute_are_persons_involved_not_suspects(
    police: httpx.AsyncClient, submit, officer
) -> None:
    people = [reported_person(["pictured"]), reported_person(["sharer"]), reported_person(["recipient", "possessor"]), reported_person(["possessor"])]
    receipt = await submit(report_payload(people, typology="aggravated_youth_reckless_misuse"))
    links = await links_by_roles(police, receipt["police_incident_id"], officer("scpo"))
    assert links[("pictured",)]["role"] == "victim"
    assert links[("sharer",)]["role"] == "suspect"  # distributed it, in an aggravated case
    assert links[("possessor", "recipient")]["role"] == "person_involved"
    assert links[("possessor",)]["role"] == "person_involved"


async def test_an_officer_changes_a_proposed_link_only_with_a_reason_and_the_change_is_kept(
    police: httpx.AsyncClient, submit, officer, police_app
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["possessor"])]))
    scpo = officer("scpo")
    link = (await links_by_roles(police, receipt["police_incident_id"], scpo))[("possessor",)]
    unreasoned = await police.patch(f"/links/{link['id']}", json={"role": "suspect"}, headers={**scpo, "If-Match": f'"v{link["version"]}"'})
    assert unreasoned.status_code == 422
    changed = await police.patch(
        f"/links/{link['id']}",
        json={"role": "suspect", "reason": "Forwarded the image to another group, seen on the device."},
        headers={**scpo, "If-Match": f'"v{link["version"]}"'},
    )
    assert changed.status_code == 200 and changed.json()["role"] == "suspect" and changed.json()["role_set_by_officer"] is True
    from services.police_api.persons.models import PersonLinkChange

    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        [kept] = (await session.scalars(select(PersonLinkChange).where(PersonLinkChange.link_id == uuid.UUID(link["id"])))).all()
    assert (kept.old_role.value, kept.new_role.value, kept.changed_by) == ("person_involved", "suspect", "scpo:scpo-52")
    assert kept.reason.startswith("Forwarded the image")


def ranked(tokens, role: str, rank: str | None, sub: str) -> dict[str, str]:
    claims = {"rank": rank} if rank else {}
    return bearer(tokens.police(role, FORCE, sub=sub, **claims))


async def test_a_finding_is_never_cleared_silently_and_an_override_needs_a_reason_and_an_officer_of_the_forces_rank(
    police: httpx.AsyncClient, submit, officer, tokens, ppu_acknowledge_all
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["possessor"])]))
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    etag = (await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)).headers["ETag"]
    found = await police.put(f"/incidents/{incident_id}/assessment", json={"indicators": ["coercion", "exploitation"]}, headers={**scpo, "If-Match": etag})
    assert found.status_code == 200 and found.json()["computed_route"] == "cid"

    # Clearing the findings by recording an empty assessment is refused, naming each finding.
    cleared = await police.put(f"/incidents/{incident_id}/assessment", json={"indicators": []}, headers={**scpo, "If-Match": found.headers["ETag"]})
    assert cleared.status_code == 422 and rules_of(cleared) == {"P-FULL-INVESTIGATION"}
    assert [m.split("'")[1] for m in messages_of(cleared)] == ["coercion", "exploitation"]

    decision = {"indicator": "coercion", "action": "overridden", "reason": "Pressure was between the two children; interviews show no threat."}
    no_reason = await police.post(
        f"/incidents/{incident_id}/finding-decisions", json={**decision, "reason": ""}, headers={**scpo, "If-Match": found.headers["ETag"]}
    )
    assert no_reason.status_code == 422
    for rank in (None, "sergeant"):
        low = await police.post(
            f"/incidents/{incident_id}/finding-decisions", json=decision,
            headers={**ranked(tokens, "supervisor", rank, "ps-2211"), "If-Match": found.headers["ETag"]},
        )
        assert low.status_code == 422 and rules_of(low) == {"P-FULL-INVESTIGATION"}
        assert "needs an officer of rank inspector or above" in messages_of(low)[0]
    inspector = ranked(tokens, "supervisor", "inspector", "insp-4321")
    overridden = await police.post(f"/incidents/{incident_id}/finding-decisions", json=decision, headers={**inspector, "If-Match": found.headers["ETag"]})
    assert overridden.status_code == 201, overridden.text
    body = overridden.json()
    assert body["indicators"] == ["coercion", "exploitation"]  # an overridden finding still stands
    assert body["overridden_findings"] == ["coercion"] and body["unresolved_findings"] == ["exploitation"]
    [kept] = body["finding_decisions"]
    assert (kept["decided_by"], kept["decided_by_rank"], kept["action"]) == ("supervisor:insp-4321", "inspector", "overridden")

    # The remaining finding is named by the Outcome 21 refusal, and the override alone does not lift it.
    links = await links_by_roles(police, incident_id, scpo)
    crime = await police.post(
        f"/incidents/{incident_id}/crimes", json={"victim_person_id": links[("pictured", "sender")]["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    proposal = await police.post(
        f"/crimes/{crime.json()['id']}/outcome-proposal", json={"code": 21, "public_interest_rationale": "Low harm."},
        headers={**scpo, "If-Match": crime.headers["ETag"]},
    )
    findings = [m for m in messages_of(proposal) if m.startswith("The finding")]
    assert findings == ["The finding 'exploitation' calls for a full investigation and is not overridden: Outcome 21 does not apply."]

    # Clearing the other one (it was wrong) removes it; the route is then the SCPO's.
    current = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    clear = await police.post(
        f"/incidents/{incident_id}/finding-decisions",
        json={"indicator": "exploitation", "action": "cleared", "reason": "Recorded in error: the payment was for a phone repair."},
        headers={**ranked(tokens, "scpo", "chief_inspector", "ci-77"), "If-Match": current.headers["ETag"]},
    )
    assert clear.status_code == 201, clear.text
    assert clear.json()["indicators"] == ["coercion"] and clear.json()["unresolved_findings"] == []
    again = await police.post(
        f"/incidents/{incident_id}/finding-decisions",
        json={"indicator": "exploitation", "action": "cleared", "reason": "Recorded in error, once more."},
        headers={**inspector, "If-Match": clear.headers["ETag"]},
    )
    assert again.status_code == 422 and messages_of(again) == ["The finding 'exploitation' is not recorded on this incident."]
    proposal = await police.post(
        f"/crimes/{crime.json()['id']}/outcome-proposal", json={"code": 21, "public_interest_rationale": "Low harm."},
        headers={**scpo, "If-Match": crime.headers["ETag"]},
    )
    assert not [m for m in messages_of(proposal) if m.startswith("The finding")]

    # The registrar sees both decisions, with their reasons, officers and ranks; each write is audited.
    registrar = officer("crime_registrar")
    mine, cursor = [], None
    while True:
        page = (await police.get("/compliance/crime-recording/finding-decisions", params={"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=registrar)).json()
        mine += [row for row in page["items"] if row["incident_id"] == incident_id]
        if (cursor := page["next_cursor"]) is None:
            break
    assert [(row["indicator"], row["action"], row["decided_by"], row["decided_by_rank"]) for row in mine] == [
        ("exploitation", "cleared", "scpo:ci-77", "chief_inspector"),
        ("coercion", "overridden", "supervisor:insp-4321", "inspector"),
    ]
    assert mine[1]["reason"] == decision["reason"]
    audit = (await police.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=officer("supervisor"))).json()
    operations = {entry["operation"] for entry in (audit["items"] if isinstance(audit, dict) else audit)}
    assert {"police_incident.finding_overridden", "police_incident.finding_cleared"} <= operations


def test_the_rank_that_may_clear_or_override_a_finding_is_a_force_setting() -> None:
    from services.police_api.routing.vocabulary import PoliceRank

    settings = PoliceSettings(finding_decision_min_rank="sergeant", finding_decision_min_rank_by_force={"52": "superintendent"})
    assert settings.finding_decision_rank_for("52") is PoliceRank.superintendent
    assert settings.finding_decision_rank_for("01") is PoliceRank.sergeant
    assert PoliceSettings().finding_decision_rank_for("52") is PoliceRank.inspector


async def test_an_unknown_rank_claim_is_refused(police: httpx.AsyncClient, tokens) -> None:
    answer = await police.get("/incidents", headers=bearer(tokens.police("supervisor", FORCE, rank="field_marshal")))
    assert answer.status_code == 401


async def test_a_crime_on_a_schools_report_is_raised_under_the_third_party_rule(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo = officer("scpo")
    victim = (await links_by_roles(police, receipt["police_incident_id"], scpo))[("pictured",)]
    crime = await police.post(
        f"/incidents/{receipt['police_incident_id']}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    assert crime.json()["basis"] == "third_party_report" and crime.json()["third_party_report_id"] == receipt["id"]

    opened = await police.post("/incidents", json={}, headers=scpo)
    linked = await police.post(
        f"/incidents/{opened.json()['id']}/links",
        json={"person": {"given_name": "Alex", "family_name": "Example", "age_years": 14, "kind": "child_elsewhere"}, "role": "victim"},
        headers=scpo,
    )
    assert linked.status_code == 201, linked.text
    refused = await police.post(
        f"/incidents/{opened.json()['id']}/crimes",
        json={"victim_person_id": linked.json()["person_id"], "offence_code": "86/2", "basis": "third_party_report"},
        headers=scpo,
    )
    assert refused.status_code == 422 and rules_of(refused) == {"P-THIRD-PARTY"}
    direct = await police.post(
        f"/incidents/{opened.json()['id']}/crimes",
        json={"victim_person_id": linked.json()["person_id"], "offence_code": "86/25"},
        headers=scpo,
    )
    assert direct.status_code == 201 and direct.json()["basis"] == "police_identified" and direct.json()["third_party_report_id"] is None


async def test_no_crime_recorded_makes_the_report_a_crime_related_incident_n100_with_its_basis(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured"])]))
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    etag = (await police.get(f"/incidents/{incident_id}", headers=scpo)).headers["ETag"]
    free_text_only = await police.post(
        f"/incidents/{incident_id}/no-crime-decision", json={"reason": "The image is of a swimsuit at the beach."}, headers={**scpo, "If-Match": etag}
    )
    assert free_text_only.status_code == 422
    decided = await police.post(
        f"/incidents/{incident_id}/no-crime-decision",
        json={"basis": "image_not_indecent", "reason": "The image is of a swimsuit at the beach."},
        headers={**scpo, "If-Match": etag},
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["crime_decision"], body["no_crime_basis"], body["crime_related_incident_code"]) == ("no_crime", "image_not_indecent", "N100")
    pending = (await police.post("/incidents", json={}, headers=scpo)).json()
    assert pending["crime_related_incident_code"] is None


async def test_a_child_under_10_is_never_a_suspect(police: httpx.AsyncClient, submit, officer) -> None:
    receipt = await submit(
        report_payload([reported_person(["pictured"]), reported_person(["coercer"], date_of_birth=None, age_years=9)], typology="aggravated_youth_intent_to_harm")
    )
    incident_id = receipt["police_incident_id"]
    scpo = officer("scpo")
    young = (await links_by_roles(police, incident_id, scpo))[("coercer",)]
    assert young["role"] == "witness" and young["age_years"] == 9
    refused = await police.patch(
        f"/links/{young['id']}", json={"role": "suspect", "reason": "Sent the threats himself."}, headers={**scpo, "If-Match": f'"v{young["version"]}"'}
    )
    assert refused.status_code == 422 and rules_of(refused) == {"P-AGE-OF-RESPONSIBILITY"}
    linked = await police.post(
        f"/incidents/{incident_id}/links",
        json={"person": {"given_name": "Sam", "family_name": "Young", "age_years": 8, "kind": "child_elsewhere"}, "role": "person_involved"},
        headers=scpo,
    )
    assert linked.status_code == 422 and rules_of(linked) == {"P-AGE-OF-RESPONSIBILITY"}


async def test_outcomes_that_imply_a_suspect_are_refused_once_the_suspect_is_known_to_be_under_10(
    police: httpx.AsyncClient, submit, officer
) -> None:
    upn = random_upn()
    first = await submit(
        report_payload([reported_person(["pictured"]), reported_person(["sharer"], date_of_birth=None, upn=upn)], typology="aggravated_youth_reckless_misuse")
    )
    scpo, supervisor = officer("scpo"), officer("supervisor")
    links = await links_by_roles(police, first["police_incident_id"], scpo)
    assert links[("sharer",)]["role"] == "suspect"
    crime = await police.post(
        f"/incidents/{first['police_incident_id']}/crimes", json={"victim_person_id": links[("pictured",)]["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    # A later report gives the same pupil's date of birth: nine years old.
    today = datetime.now(UTC).date()
    await submit(report_payload([reported_person(["recipient"], date_of_birth=today.replace(year=today.year - 9), upn=upn)]))
    caution = await police.post(f"/crimes/{crime.json()['id']}/outcome", json={"code": 2}, headers={**supervisor, "If-Match": crime.headers["ETag"]})
    assert caution.status_code == 422 and rules_of(caution) == {"P-AGE-OF-RESPONSIBILITY"}
    under_age = await police.post(f"/crimes/{crime.json()['id']}/outcome", json={"code": 11}, headers={**supervisor, "If-Match": crime.headers["ETag"]})
    assert under_age.status_code == 200, under_age.text


async def test_the_schools_immediate_criteria_set_the_triage_priority_and_a_child_at_immediate_risk_comes_first(
    police: httpx.AsyncClient, submit, officer
) -> None:
    receipts = {}
    for name, criteria in (("standard", []), ("priority", ["adult_involved"]), ("immediate", ["immediate_risk_of_harm", "adult_involved"])):
        payload = report_payload([reported_person(["pictured"])])
        payload["risk_assessment"]["immediate_criteria"] = criteria
        receipts[name] = await submit(payload)
    handler = officer("call_handler")
    for name, receipt in receipts.items():
        report = (await police.get(f"/reports/{receipt['id']}", headers=handler)).json()
        assert report["proposed_priority"] == name
        assert report["content"]["risk_assessment"]["immediate_criteria"] == (
            [] if name == "standard" else ["adult_involved"] if name == "priority" else ["immediate_risk_of_harm", "adult_involved"]
        )
    queue = await police.get("/reports/intake-queue", params={"limit": 200}, headers=handler)
    assert queue.status_code == 200, queue.text
    ids = [item["id"] for item in queue.json()["items"]]
    assert ids[0] == receipts["immediate"]["id"]
    assert ids.index(receipts["immediate"]["id"]) < ids.index(receipts["priority"]["id"])
    if receipts["standard"]["id"] in ids:
        assert ids.index(receipts["priority"]["id"]) < ids.index(receipts["standard"]["id"])
    report = await police.get(f"/reports/{receipts['immediate']['id']}", headers=handler)
    triaged = await police.post(
        f"/reports/{receipts['immediate']['id']}/triage", json={"priority": "immediate"}, headers={**handler, "If-Match": report.headers["ETag"]}
    )
    assert triaged.status_code == 200
    after = [item["id"] for item in (await police.get("/reports/intake-queue", params={"limit": 200}, headers=handler)).json()["items"]]
    assert receipts["immediate"]["id"] not in after


async def test_an_unknown_immediate_criterion_is_refused(police: httpx.AsyncClient, school_client_headers) -> None:
    payload = report_payload([reported_person(["pictured"])])
    payload["risk_assessment"]["immediate_criteria"] = ["seems_urgent"]
    answer = await police.post("/reports", json=payload, headers={**school_client_headers, "Idempotency-Key": "unknown-criterion-1"})
    assert answer.status_code == 422


@pytest.mark.parametrize("code", ["86/2", "86/10", "86/25"])
async def test_the_offence_table_holds_the_indecent_and_prohibited_image_classifications(police: httpx.AsyncClient, officer, code: str) -> None:
    from services.police_api.rules.offences import STATUTORY_OFFENCES

    table = {row["code"]: row for row in (await police.get("/offence-codes", headers=officer("scpo"), params={"limit": 200})).json()["items"]}
    expected = next(offence for offence in STATUTORY_OFFENCES if offence.code == code)
    assert (table[code]["title"], table[code]["statute"]) == (expected.title, expected.statute)
