"""Retention under MoPI (issue 14, acceptance 4): `police-api retention run`, with and without --dry-run, on
one force's seeded incidents, the clock moved on as the years pass: an incident with no crime recorded is
anonymised after its six-year clear period, one under a legal hold is kept, a Group 1 crime (86/2) is kept
until its subjects are 100; every disposal audited, the dry run changes nothing, a second run nothing more.
A person of the nominal index is anonymised only once none of their incidents is kept.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from services.police_api import cli as police_cli
from services.police_api.clients.service import register_school_client
from services.police_api.database import AuditEntry
from services.police_api.incidents.models import PoliceIncident
from services.police_api.persons.models import Person
from services.police_api.reports.models import SchoolReport
from services.police_api.retention.models import Disposal
from services.police_api.rules.retention import add_years
from shared.clock import Clock
from shared.tenancy import ALL_TENANTS
from tests.police_api.conftest import random_upn, report_payload, reported_person
from tests.support import Keys, ThrowAwayDatabase, Tokens, bearer, fresh_urn

# Forces no other test reports to, one per test, so that a run with the clock years ahead sees only its own.
_UNUSED_FORCES = ["60", "61", "62", "63", "50", "48", "47", "46"]
SEVEN_YEARS = timedelta(days=7 * 366)


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def force() -> str:
    return _UNUSED_FORCES.pop()


@pytest.fixture
async def report(police: httpx.AsyncClient, police_app: Any, force: str) -> Any:
    """Submit a school's report to `force`, as a school client registered with it does; returns the receipt."""
    runtime = police_app.state.runtime
    client_id = f"school-retention-{uuid.uuid4().hex[:6]}"
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(session, client_id=client_id, school_urn=fresh_urn(), force_code=force, now=runtime.clock.now())
        await session.commit()

    async def submit(people: list[dict[str, Any]]) -> dict[str, Any]:
        token = await police.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
        assert token.status_code == 200, token.text
        headers = {**bearer(token.json()["access_token"]), "Idempotency-Key": uuid.uuid4().hex}
        answer = await police.post("/reports", json=report_payload(people), headers=headers)
        assert answer.status_code == 201, answer.text
        return answer.json()

    return submit


@pytest.fixture
def as_officer(tokens: Tokens, force: str) -> Any:
    return lambda role: bearer(tokens.police(role, force))


@pytest.fixture
def retention_cli(police_db: ThrowAwayDatabase, keys: Keys, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clock: Clock) -> Any:
    """`police-api retention run …` against the suite's database at the apps' (moved) time; returns its JSON lines."""
    monkeypatch.setenv("POLICE_API_DATABASE_URL", police_db.url)
    monkeypatch.setenv("POLICE_API_ENVIRONMENT", "test")

    async def run(*argv: str) -> dict[str, dict[str, Any]]:
        capsys.readouterr()
        await asyncio.to_thread(police_cli.main, ["retention", "run", *argv], clock)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        return {line["id"]: line for line in lines}

    return run


async def no_crime(police: httpx.AsyncClient, as_officer: Any, incident_id: str) -> None:
    supervisor = as_officer("supervisor")
    current = await police.get(f"/incidents/{incident_id}", headers=supervisor)
    decided = await police.post(
        f"/incidents/{incident_id}/no-crime-decision",
        json={"reason": "RETENTION-MARKER: the image is not indecent."},
        headers={**supervisor, "If-Match": current.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.text


async def seeded(police: httpx.AsyncClient, report: Any, as_officer: Any) -> dict[str, Any]:
    upn = random_upn()
    both = reported_person(["pictured", "sender"], upn=upn, date_of_birth=date(2011, 3, 4))
    only_disposed = reported_person(["recipient"], date_of_birth=date(2011, 5, 6))
    no_crime_file = await report([both, only_disposed])
    await no_crime(police, as_officer, no_crime_file["police_incident_id"])
    held_file = await report([reported_person(["pictured"])])
    await no_crime(police, as_officer, held_file["police_incident_id"])
    placed = await police.post(
        f"/incidents/{held_file['police_incident_id']}/legal-hold", json={"reason": "Civil proceedings notified."},
        headers=as_officer("crime_registrar"),
    )
    assert placed.status_code == 201, placed.text
    crime_file = await report([{**both, "school_person_id": str(uuid.uuid4()), "roles": ["pictured"]}])
    links = (await police.get(f"/incidents/{crime_file['police_incident_id']}/links", headers=as_officer("scpo"))).json()["items"]
    crime = await police.post(
        f"/incidents/{crime_file['police_incident_id']}/crimes", json={"victim_person_id": links[0]["person_id"], "offence_code": "86/2"},
        headers=as_officer("scpo"),
    )
    assert crime.status_code == 201, crime.text
    undecided = await report([reported_person(["pictured"])])
    people = {
        link["person_id"]
        for incident in (no_crime_file, crime_file)
        for link in (await police.get(f"/incidents/{incident['police_incident_id']}/links", headers=as_officer("scpo"))).json()["items"]
    }
    return {
        "no_crime": no_crime_file["police_incident_id"], "held": held_file["police_incident_id"],
        "crime": crime_file["police_incident_id"], "undecided": undecided["police_incident_id"],
        "kept_person": links[0]["person_id"], "disposed_person": (people - {links[0]["person_id"]}).pop(),
    }


async def stored(police_app: Any, force: str) -> dict[str, Any]:
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        incidents = (await session.execute(select(PoliceIncident.id, PoliceIncident.no_crime_reason).where(PoliceIncident.force_code == force))).all()
        people = (await session.execute(select(Person.id, Person.given_name, Person.date_of_birth, Person.upn).where(Person.force_code == force))).all()
        reports = (await session.execute(select(SchoolReport.police_incident_id, SchoolReport.content).where(SchoolReport.force_code == force))).all()
        disposals = (await session.scalars(select(Disposal.incident_id).where(Disposal.force_code == force))).all()
        return {
            "incidents": {str(row[0]): row[1] for row in incidents},
            "people": {str(row[0]): tuple(row[1:]) for row in people},
            "reports": {str(row[0]): row[1] for row in reports},
            "disposals": sorted(str(value) for value in disposals),
        }


async def job_audit(police_app: Any, force: str) -> list[tuple[str, str, str, str]]:
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        rows = await session.execute(
            select(AuditEntry.operation, AuditEntry.record_id, AuditEntry.role, AuditEntry.subject)
            .where(AuditEntry.tenant == force, AuditEntry.operation.like("retention.%")).order_by(AuditEntry.seq)
        )
        return [tuple(row) for row in rows]


async def test_seven_years_on_the_dry_run_lists_the_no_crime_incidents_and_changes_nothing(
    police: httpx.AsyncClient, police_app: Any, report: Any, as_officer: Any, retention_cli: Any, moved_clock: Clock, force: str
) -> None:
    files = await seeded(police, report, as_officer)
    assert await retention_cli("--dry-run", "--force-code", force) == {}  # nothing is due today
    before = await stored(police_app, force)

    moved_clock.advance(SEVEN_YEARS)
    lines = await retention_cli("--dry-run", "--force-code", force)

    assert {incident_id: line["outcome"] for incident_id, line in lines.items()} == {files["no_crime"]: "would_dispose", files["held"]: "held"}
    line = lines[files["no_crime"]]
    assert (line["tenant"], line["record_type"], line["action"]) == (force, "no_crime_recorded", "anonymise")
    assert line["due_on"] == add_years(today(), 6).isoformat()  # six years after the decision not to record a crime
    assert "RETENTION-MARKER" not in json.dumps(lines) and "2011-03-04" not in json.dumps(lines)
    assert await stored(police_app, force) == before
    assert {(op, record_id) for op, record_id, *_ in await job_audit(police_app, force)} == {
        ("retention.dry_run", files["no_crime"]), ("retention.dry_run", files["held"]),
    }


async def test_seven_years_on_the_run_anonymises_the_due_incident_keeps_the_held_and_the_group_1_crime(
    police: httpx.AsyncClient, police_app: Any, report: Any, as_officer: Any, retention_cli: Any, moved_clock: Clock, force: str
) -> None:
    files = await seeded(police, report, as_officer)
    before = await stored(police_app, force)
    moved_clock.advance(SEVEN_YEARS)

    lines = await retention_cli("--force-code", force)

    assert {incident_id: line["outcome"] for incident_id, line in lines.items()} == {files["no_crime"]: "disposed", files["held"]: "held"}
    after = await stored(police_app, force)
    assert after["disposals"] == [files["no_crime"]]
    assert after["incidents"][files["no_crime"]] is None
    assert after["reports"][files["no_crime"]] == {"minimised": True}
    # The person linked only to the disposed incident is anonymised; the one the Group 1 crime names is kept.
    assert after["people"][files["disposed_person"]] == (None, None, None)
    assert after["people"][files["kept_person"]] == before["people"][files["kept_person"]]
    for incident_id in (files["held"], files["crime"], files["undecided"]):
        assert after["incidents"][incident_id] == before["incidents"][incident_id]
        assert after["reports"][incident_id] == before["reports"][incident_id]
    audit = await job_audit(police_app, force)
    assert [row for row in audit if row[0] == "retention.dispose"] == [("retention.dispose", files["no_crime"], "system", "retention-job")]
    assert ("retention.keep_held", files["held"], "system", "retention-job") in audit

    # What is left is the skeleton: the incident, its reference, its links' roles; the retention record says when.
    # (Back to today: tokens are checked against the real time.)
    moved_clock.reset()
    registrar = as_officer("crime_registrar")
    answer = await police.get(f"/incidents/{files['no_crime']}/retention", headers=registrar)
    assert answer.status_code == 200, answer.text
    status = answer.json()
    assert status["disposed_at"] is not None and status["record_type"] == "no_crime_recorded"
    assert len((await police.get(f"/incidents/{files['no_crime']}/links", headers=as_officer("scpo"))).json()["items"]) == 2

    # Idempotent.
    moved_clock.advance(SEVEN_YEARS)
    again = await retention_cli("--force-code", force)
    assert {incident_id: line["outcome"] for incident_id, line in again.items()} == {files["held"]: "held"}
    assert await stored(police_app, force) == after


async def test_a_group_1_crime_is_kept_until_its_subjects_are_100_and_then_only_reviewed_while_open(
    police: httpx.AsyncClient, police_app: Any, report: Any, as_officer: Any, retention_cli: Any, moved_clock: Clock, force: str
) -> None:
    files = await seeded(police, report, as_officer)
    status = (await police.get(f"/incidents/{files['crime']}/retention", headers=as_officer("supervisor"))).json()
    assert status["record_type"] == "group_1_public_protection"
    assert status["due_on"] == "2111-03-04"  # its one subject, born 4 March 2011, is then 100
    assert status["next_review_on"] == add_years(today(), 10).isoformat()

    moved_clock.advance(timedelta(days=100 * 366))
    lines = await retention_cli("--force-code", force)
    # Not finalised: a person reviews it; nothing is anonymised unseen. The undecided report is kept the same way.
    assert lines[files["crime"]]["outcome"] == "review" and lines[files["undecided"]]["outcome"] == "review"
    after = await stored(police_app, force)
    assert files["crime"] not in after["disposals"] and after["people"][files["kept_person"]][0] is not None


async def test_only_the_registrar_or_a_supervisor_hold_and_lift(police: httpx.AsyncClient, report: Any, as_officer: Any) -> None:
    incident_id = (await report([reported_person(["pictured"])]))["police_incident_id"]
    path = f"/incidents/{incident_id}/legal-hold"
    for role in ("scpo", "cid", "ppu", "call_handler"):
        assert (await police.post(path, json={"reason": "x"}, headers=as_officer(role))).status_code == 403
    assert (await police.post(path, json={"reason": "Review pending."}, headers=as_officer("supervisor"))).status_code == 201
    assert (await police.post(path, json={"reason": "Again."}, headers=as_officer("crime_registrar"))).status_code == 409
    lifted = await police.post(f"{path}/lift", json={"reason": "Reviewed."}, headers=as_officer("crime_registrar"))
    assert lifted.status_code == 200 and lifted.json()["lifted_by_role"] == "crime_registrar"


async def outcome_21_case(police: httpx.AsyncClient, report: Any, as_officer: Any) -> dict[str, Any]:
    """An experimental case carried to Outcome 21 and finalised (P-ROUTE, P-OUTCOME21), with every record a
    closed case has: a crime and its subjects, PPU updates, a restorative meeting, education, a victim contact."""
    pictured = reported_person(["pictured", "sender"], date_of_birth=date(2011, 3, 4))
    partner = reported_person(["recipient", "possessor"], date_of_birth=date(2010, 9, 9))
    receipt = await report([pictured, partner])
    incident_id = receipt["police_incident_id"]
    scpo, supervisor, ppu = as_officer("scpo"), as_officer("supervisor"), as_officer("ppu")
    links = {tuple(link["reported_roles"]): link for link in (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]}
    victim, involved = links[("pictured", "sender")], links[("possessor", "recipient")]
    crime = await police.post(f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo)
    assert crime.status_code == 201, crime.text
    assessment = await police.get(f"/incidents/{incident_id}/assessment", headers=scpo)
    routed = await police.post(
        f"/incidents/{incident_id}/route", json={"route": "scpo", "no_prosecution_reason": "RETENTION-MARKER experimental."},
        headers={**scpo, "If-Match": assessment.headers["ETag"]},
    )
    assert routed.status_code == 200, routed.text
    for notification in (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=ppu)).json()["items"]:
        update = await police.post(
            f"/ppu/notifications/{notification['id']}/updates", json={"source": "ppu", "text": "RETENTION-MARKER update."}, headers=ppu
        )
        assert update.status_code == 201, update.text
        current = await police.get(f"/ppu/notifications/{notification['id']}", headers=ppu)
        acked = await police.post(f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": current.headers["ETag"]})
        assert acked.status_code == 200, acked.text
    meeting = await police.post(
        f"/incidents/{incident_id}/restorative-meetings",
        json={"held_on": "2026-12-01", "attendees": [{"person_id": victim["person_id"], "description": "victim"}], "outcome": "RETENTION-MARKER met."},
        headers=scpo,
    )
    assert meeting.status_code == 201, meeting.text
    education = await police.post(
        f"/incidents/{incident_id}/education",
        json={"kind": "victim_input", "delivered_on": "2026-12-02", "person_id": victim["person_id"], "description": "RETENTION-MARKER input."},
        headers=scpo,
    )
    assert education.status_code == 201, education.text
    contact = await police.post(
        f"/crimes/{crime.json()['id']}/victim-contacts",
        json={"contacted": "parent_or_guardian", "contacted_at": datetime.now(UTC).isoformat(), "method": "telephone", "note": "RETENTION-MARKER."},
        headers=scpo,
    )
    assert contact.status_code == 201, contact.text
    current = await police.get(f"/crimes/{crime.json()['id']}", headers=scpo)
    proposal = await police.post(
        f"/crimes/{crime.json()['id']}/outcome-proposal",
        json={"code": 21, "public_interest_rationale": "RETENTION-MARKER non-abusive."},
        headers={**scpo, "If-Match": current.headers["ETag"]},
    )
    assert proposal.status_code == 200, proposal.text
    final = await police.post(f"/crimes/{crime.json()['id']}/outcome", json={"code": 21}, headers={**supervisor, "If-Match": proposal.headers["ETag"]})
    assert final.status_code == 200, final.text
    incident = await police.get(f"/incidents/{incident_id}", headers=supervisor)
    finalised = await police.post(f"/incidents/{incident_id}/finalise", headers={**supervisor, "If-Match": incident.headers["ETag"]})
    assert finalised.status_code == 200, finalised.text
    names = {pictured["given_name"], pictured["family_name"], partner["given_name"], partner["family_name"]}
    return {"incident": incident_id, "crime": crime.json()["id"], "people": {victim["person_id"], involved["person_id"]}, "names": names}


async def test_a_finalised_outcome_21_case_is_anonymised_when_its_youngest_subject_is_100_keeping_its_statistics(
    police: httpx.AsyncClient, police_app: Any, report: Any, as_officer: Any, retention_cli: Any, moved_clock: Clock, force: str
) -> None:
    case = await outcome_21_case(police, report, as_officer)
    status = (await police.get(f"/incidents/{case['incident']}/retention", headers=as_officer("crime_registrar"))).json()
    assert (status["record_type"], status["due_on"], status["action"]) == ("group_1_public_protection", "2111-03-04", "anonymise")

    moved_clock.advance(datetime(2111, 3, 3, 12, tzinfo=UTC) - moved_clock.now())  # the younger child is not 100 yet
    assert case["incident"] not in await retention_cli("--force-code", force)
    moved_clock.advance(timedelta(days=1))
    assert (await retention_cli("--force-code", force))[case["incident"]]["outcome"] == "disposed"
    moved_clock.reset()

    registrar = as_officer("crime_registrar")
    crime = (await police.get(f"/crimes/{case['crime']}", headers=registrar)).json()
    assert (crime["offence_code"], crime["outcome_code"], crime["status"]) == ("86/2", 21, "finalised")  # the statistics stay
    assert crime["public_interest_rationale"] is None
    for person_id in case["people"]:
        person = (await police.get(f"/persons/{person_id}", headers=registrar)).json()
        assert person["given_name"] is None and person["date_of_birth"] is None
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        tables = (
            "ppu_updates", "restorative_meetings", "education_records", "victim_contacts", "police_incidents", "crimes", "school_reports",
            "persons",
        )
        for table in tables:
            rows = str((await session.execute(text(f"SELECT * FROM {table} WHERE force_code = :force"), {"force": force})).all())
            assert rows != "[]" and "RETENTION-MARKER" not in rows and not [name for name in case["names"] if name in rows], table
