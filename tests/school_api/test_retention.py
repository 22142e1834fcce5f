"""Retention (issue 14, acceptance 4): `school-api retention run`, with and without --dry-run, on seeded
files of one school: a due file is anonymised, a held one kept, a file not yet due kept, an open one only
listed for review; every disposal audited, the dry run changes nothing, a second run changes nothing more.

The files are made through the API as a DSL makes them; the job runs through the CLI's own entry point.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import Uuid, bindparam, func, select, text

from services.school_api import cli as school_cli
from services.school_api.database import AuditEntry
from services.school_api.incidents.models import Incident, Observation
from services.school_api.people.models import Person
from services.school_api.referrals.models import OutboxMessage
from services.school_api.retention.models import Disposal
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import Keys, ThrowAwayDatabase, Tokens

# A disclosure in 2013 about a pupil born in 2000: the file fell due in January 2025 (IRMS: DOB + 25).
LONG_AGO = "2013-03-01T09:00:00Z"
BORN_2000 = {"given_name": "Perpetua", "family_name": "Quenby", "date_of_birth": "2000-01-10", "age_years": None}
NARRATIVE = "RETENTION-NARRATIVE-MARKER: Perpetua sent an image to a classmate."


@pytest.fixture
def s(school: httpx.AsyncClient, tokens: Tokens, urn: str) -> School:
    return School(school, tokens, urn)


@pytest.fixture
def retention_cli(school_db: ThrowAwayDatabase, keys: Keys, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`school-api retention run …` against the suite's database, off the event loop as a process would be;
    returns the JSON lines it printed."""
    monkeypatch.setenv("SCHOOL_API_DATABASE_URL", school_db.url)
    monkeypatch.setenv("SCHOOL_API_ENVIRONMENT", "test")

    async def run(*argv: str) -> list[dict[str, Any]]:
        capsys.readouterr()
        await asyncio.to_thread(school_cli.main, ["retention", "run", *argv])
        return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]

    return run


async def closed_file(s: School, *, disclosed_at: str = LONG_AGO, person: dict[str, Any] | None = None) -> dict[str, Any]:
    """An experimental incident managed in school, recorded in full and closed after its review."""
    incident = await s.open(disclosed_at=disclosed_at, narrative=NARRATIVE, where_image_ended_up="A group chat.")
    await s.add_person(incident, **(person or BORN_2000))
    observed = await s.client.post(
        s.path(incident, "/observations"), json={"observed_at": disclosed_at, "text": "Perpetua was upset."}, headers=s.dsl
    )
    assert observed.status_code == 201, observed.text
    await s.ready_to_decide(incident, typology="experimental_romantic")
    decided = await s.decide(incident, outcome="manage_in_school", reasons="Both willing; Perpetua's parents told.")
    assert decided.status_code == 201, decided.text
    reviewed = await s.client.post(
        s.path(incident, "/review"), json={"outcome": "Handled in school."}, headers={**s.dsl, "If-Match": decided.headers["ETag"]}
    )
    assert reviewed.status_code == 201, reviewed.text
    closed = await s.client.post(
        s.path(incident, "/close"), json={"resolution": "Perpetua supported."}, headers={**s.dsl, "If-Match": reviewed.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    return incident


async def seeded_files(s: School) -> dict[str, dict[str, Any]]:
    due = await closed_file(s)
    held = await closed_file(s)
    placed = await s.client.post(s.path(held, "/legal-hold"), json={"reason": "A civil claim has been notified."}, headers=s.head)
    assert placed.status_code == 201, placed.text
    not_yet_due = await closed_file(s, disclosed_at="2026-11-02T09:00:00Z", person={"date_of_birth": "2011-06-14", "age_years": None})
    still_open = await s.open(disclosed_at=LONG_AGO, narrative=NARRATIVE)
    await s.add_person(still_open, **BORN_2000)
    return {"due": due, "held": held, "not_yet_due": not_yet_due, "open": still_open}


async def snapshot(school_app: Any, urn: str) -> dict[str, Any]:
    """The school's records as stored: every incident's texts, every person's identity, the disposals."""
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        incidents = (await session.execute(
            select(Incident.id, Incident.narrative, Incident.resolution, Incident.version).where(Incident.school_urn == urn)
        )).all()
        people = (await session.execute(
            select(Person.incident_id, Person.given_name, Person.date_of_birth, Person.upn).where(Person.school_urn == urn)
        )).all()
        observations = (await session.execute(select(Observation.incident_id, Observation.text).where(Observation.school_urn == urn))).all()
        disposals = (await session.scalars(select(Disposal.incident_id).where(Disposal.school_urn == urn))).all()
        return {
            "incidents": sorted(map(tuple, incidents)), "people": sorted(map(tuple, people)),
            "observations": sorted(map(tuple, observations)), "disposals": sorted(disposals),
        }


async def job_audit(school_app: Any, urn: str) -> list[tuple[str, str, str, str]]:
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        rows = await session.execute(
            select(AuditEntry.operation, AuditEntry.record_id, AuditEntry.role, AuditEntry.subject)
            .where(AuditEntry.tenant == urn, AuditEntry.operation.like("retention.%"))
            .order_by(AuditEntry.seq)
        )
        return [tuple(row) for row in rows]


def by_id(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {line["id"]: line for line in lines}


async def test_a_dry_run_lists_what_is_due_with_no_names_and_changes_no_record(s: School, school_app: Any, retention_cli: Any) -> None:
    files = await seeded_files(s)
    before = await snapshot(school_app, s.urn)

    lines = by_id(await retention_cli("--dry-run", "--school-urn", s.urn))

    assert set(lines) == {files["due"]["id"], files["held"]["id"], files["open"]["id"]}
    assert lines[files["due"]["id"]] == {
        "tenant": s.urn, "record_type": "child_protection_managed_in_school", "id": files["due"]["id"],
        "reference": files["due"]["reference"], "due_on": "2025-01-10", "action": "anonymise", "outcome": "would_dispose",
    }
    assert lines[files["held"]["id"]]["outcome"] == "held"
    assert lines[files["open"]["id"]]["action"] == "review" and lines[files["open"]["id"]]["outcome"] == "review"
    printed = json.dumps(list(lines.values()))
    assert "Perpetua" not in printed and "Quenby" not in printed and "2000-01-10" not in printed
    assert await snapshot(school_app, s.urn) == before
    # The dry run read the files: its reads are audited, as the system's, and nothing else is.
    assert {(operation, record_id) for operation, record_id, *_ in await job_audit(school_app, s.urn)} == {
        ("retention.dry_run", incident_id) for incident_id in lines
    }


async def test_the_run_anonymises_the_due_file_keeps_the_held_and_the_not_yet_due_and_audits_each_disposal(
    s: School, school_app: Any, retention_cli: Any
) -> None:
    files = await seeded_files(s)
    before = await snapshot(school_app, s.urn)

    lines = by_id(await retention_cli("--school-urn", s.urn))

    assert {incident_id: line["outcome"] for incident_id, line in lines.items()} == {
        files["due"]["id"]: "disposed", files["held"]["id"]: "held", files["open"]["id"]: "review",
    }
    after = await snapshot(school_app, s.urn)
    due_id = files["due"]["id"]
    [disposed] = [row for row in after["incidents"] if str(row[0]) == due_id]
    assert disposed[1] is None and disposed[2] is None  # narrative and resolution erased
    assert [row[1:] for row in after["people"] if str(row[0]) == due_id] == [(None, None, None)]
    assert [row[1] for row in after["observations"] if str(row[0]) == due_id] == [""]
    assert [str(incident_id) for incident_id in after["disposals"]] == [due_id]
    # Everything else is exactly as it was.
    for table in ("incidents", "people", "observations"):
        assert [row for row in after[table] if str(row[0]) != due_id] == [row for row in before[table] if str(row[0]) != due_id]
    audit = await job_audit(school_app, s.urn)
    assert ("retention.dispose", due_id, "system", "retention-job") in audit
    assert ("retention.keep_held", files["held"]["id"], "system", "retention-job") in audit
    assert [row for row in audit if row[0] == "retention.dispose"] == [("retention.dispose", due_id, "system", "retention-job")]

    # Nothing of the disposed file names the child or keeps a text, in any of its tables.
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        for table in ("people", "incident_observations", "action_entries", "risk_assessments", "decisions", "reviews"):
            query = text(f"SELECT * FROM {table} WHERE incident_id = :id").bindparams(bindparam("id", type_=Uuid()))
            rows = str((await session.execute(query, {"id": disposed[0]})).all())
            assert rows != "[]" and "Perpetua" not in rows and "Quenby" not in rows and "RETENTION-NARRATIVE-MARKER" not in rows, table

    # The DSL still reads the file's skeleton: its reference, status and dates; its retention shows the disposal.
    skeleton = await s.client.get(s.path(files["due"]), headers=s.dsl)
    assert skeleton.status_code == 200 and skeleton.json()["narrative"] is None
    assert skeleton.json()["reference"] == files["due"]["reference"] and skeleton.json()["status"] == "closed"
    status = (await s.client.get(s.path(files["due"], "/retention"), headers=s.dsl)).json()
    assert status["disposed_at"] is not None and status["due_on"] == "2025-01-10"
    people = (await s.client.get(s.path(files["due"], "/people"), headers=s.dsl)).json()["items"]
    assert people[0]["given_name"] is None and people[0]["age_years"] == 13  # the age at disclosure survives the date of birth

    # Idempotent: a second run finds nothing new to dispose of and changes nothing.
    again = by_id(await retention_cli("--school-urn", s.urn))
    assert due_id not in again and {line["outcome"] for line in again.values()} == {"held", "review"}
    assert await snapshot(school_app, s.urn) == after


async def test_a_lifted_hold_lets_the_next_run_dispose_of_the_file(s: School, school_app: Any, retention_cli: Any) -> None:
    held = await closed_file(s)
    assert (await s.client.post(s.path(held, "/legal-hold"), json={"reason": "Inquiry request."}, headers=s.dsl)).status_code == 201
    assert by_id(await retention_cli("--school-urn", s.urn))[held["id"]]["outcome"] == "held"

    lifted = await s.client.post(s.path(held, "/legal-hold/lift"), json={"reason": "The inquiry has what it needs."}, headers=s.head)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lifted_by_role"] == "headteacher" and lifted.json()["lift_reason"] == "The inquiry has what it needs."

    assert by_id(await retention_cli("--school-urn", s.urn))[held["id"]]["outcome"] == "disposed"


async def test_disposal_deletes_the_outbox_message_and_leaves_the_audit_chain_whole(
    s: School, school_app: Any, retention_cli: Any
) -> None:
    # Referred to the police in 2013 about a child born in 2000: an allegation, kept 75 years (IICSA),
    # so it is not due; a file managed in school is, and a lost referral of its own does not exist.
    referred = await s.open(disclosed_at=LONG_AGO, narrative=NARRATIVE)
    await s.add_person(referred, **BORN_2000)
    await s.ready_to_decide(referred)
    assert (await s.decide(referred, outcome="refer_police", police_channel="101", reasons="S-POLICE")).status_code == 201
    status = (await s.client.get(s.path(referred, "/retention"), headers=s.dsl)).json()
    assert status["record_type"] == "child_protection_allegation" and status["due_on"] == "2088-03-01"
    assert referred["id"] not in by_id(await retention_cli("--dry-run", "--school-urn", s.urn))

    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        rows_before = await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.tenant == s.urn))
        outbox_before = await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.school_urn == s.urn))
    assert outbox_before == 1
    due = await closed_file(s)
    assert by_id(await retention_cli("--school-urn", s.urn))[due["id"]]["outcome"] == "disposed"
    async with school_app.state.runtime.session(ALL_TENANTS) as session:
        rows_after = await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.tenant == s.urn))
        # The referred file's message is not due; it is kept.
        assert await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.school_urn == s.urn)) == 1
    assert rows_after > rows_before  # rows are only ever added


async def test_only_the_dsl_or_headteacher_place_a_hold_and_one_at_a_time(s: School) -> None:
    incident = await s.open()
    for caller in (s.staff, s.mis):
        assert (await s.client.post(s.path(incident, "/legal-hold"), json={"reason": "x"}, headers=caller)).status_code == 403
    assert (await s.client.post(s.path(incident, "/legal-hold"), json={"reason": "Police request."}, headers=s.dsl)).status_code == 201
    again = await s.client.post(s.path(incident, "/legal-hold"), json={"reason": "Again."}, headers=s.head)
    assert again.status_code == 409
    status = (await s.client.get(s.path(incident, "/retention"), headers=s.head)).json()
    assert status["held"] is True and [hold["reason"] for hold in status["holds"]] == ["Police request."]
    assert (await s.client.post(s.path(incident, "/legal-hold/lift"), json={"reason": "Done."}, headers=s.dsl)).status_code == 200
    assert (await s.client.post(s.path(incident, "/legal-hold/lift"), json={"reason": "Again."}, headers=s.dsl)).status_code == 409
