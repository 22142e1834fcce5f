"""The audit trail (issue 6): append-only in the database, hash-chained, verifiable from the command
line naming the first broken row, with signed checkpoints that expose a rewrite of the whole chain;
and readable through the API by the roles that oversee a tenant, for their own tenant only.

Tampering happens on a throw-away database of its own, as a DBA would do it: the append-only
triggers are switched off first, then the rows are changed with raw SQL.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.police_api import cli as police_cli
from services.police_api.database import AuditEntry as PoliceAuditEntry
from services.police_api.database import PoliceSession
from services.school_api import cli as school_cli
from services.school_api.database import AuditEntry as SchoolAuditEntry
from services.school_api.database import SchoolSession
from services.police_api.app import create_app as create_police_app
from services.school_api.app import create_app as create_school_app
from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.db import create_engine
from shared.identity import Actor
from shared.migrations import upgrade
from shared.tenancy import ALL_TENANTS, set_tenant
from shared.tokens import TokenIssuer
from sqlalchemy.ext.asyncio import async_sessionmaker
from tests.conftest import police_settings, school_settings
from tests.security.support import POLICE, SCHOOL, Tenant, World
from tests.support import BACKEND, Keys, ThrowAwayDatabase, checkpoint_dir

SERVICES = {
    "school_api": (school_cli.main, SchoolAuditEntry, SchoolSession, "SCHOOL_API_", "school-signing.pem"),
    "police_api": (police_cli.main, PoliceAuditEntry, PoliceSession, "POLICE_API_", "police-signing.pem"),
}


@pytest.fixture(params=sorted(SERVICES))
def chain(request: pytest.FixtureRequest, workdir: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh database of one service at head, with 6 audit rows, and its CLI pointed at it."""
    service = request.param
    main, model, session_class, prefix, key = SERVICES[service]
    database = ThrowAwayDatabase.at_head(f"audit_{service}_{uuid.uuid4().hex[:6]}", service, workdir)
    monkeypatch.setenv(prefix + "DATABASE_URL", database.url)
    monkeypatch.setenv(prefix + "SIGNING_KEY_FILE", str(keys.path(key)))
    monkeypatch.setenv(prefix + "ENVIRONMENT", "test")
    checkpoints = checkpoint_dir(workdir, database.url)
    monkeypatch.setenv(prefix + "AUDIT_CHECKPOINT_DIR", str(checkpoints))
    chain = Chain(service, main, model, session_class, database, checkpoints)
    asyncio.run(chain.append(6))
    yield chain
    database.drop()


class Chain:
    def __init__(
        self, service: str, main: Any, model: Any, session_class: Any, database: ThrowAwayDatabase, checkpoints: Path
    ) -> None:
        self.service, self.main, self.model, self.session_class, self.database = service, main, model, session_class, database
        self.checkpoints = checkpoints

    async def _run(self, work: Any) -> Any:
        engine = create_engine(self.database.url, pool_size=1)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False, sync_session_class=self.session_class)() as session:
                set_tenant(session, ALL_TENANTS)
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    async def append(self, count: int, subject: str = "dsl-100001", tenant: str = "100001") -> None:
        async def work(session: Any) -> None:
            trail = AuditTrail(request_id=uuid.uuid4().hex, actor=Actor(subject, "dsl", tenant))
            for _ in range(count):
                trail.record("incident.read", "incident", uuid.uuid4())
            await append_events(session, self.model, trail, Clock())

        await self._run(work)

    async def append_then_roll_back(self, count: int) -> None:
        """A request whose transaction fails after its audit rows were appended, as the only statement."""

        async def work(session: Any) -> None:
            trail = AuditTrail(request_id=uuid.uuid4().hex, actor=Actor("dsl-100001", "dsl", "100001"))
            for _ in range(count):
                trail.record("incident.update", "incident", uuid.uuid4())
            await append_events(session, self.model, trail, Clock())
            await session.rollback()

        await self._run(work)

    async def append_concurrently(self, writers: int, events_each: int) -> None:
        """`writers` transactions of one school at once, as simultaneous requests would append them."""
        engine = create_engine(self.database.url, pool_size=writers)
        maker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=self.session_class)

        async def one_writer(number: int) -> None:
            async with maker() as session:
                set_tenant(session, ALL_TENANTS)
                trail = AuditTrail(request_id=f"writer-{number}", actor=Actor(f"dsl-{number}", "dsl", "100001"))
                for _ in range(events_each):
                    trail.record("incident.read", "incident", uuid.uuid4())
                await append_events(session, self.model, trail, Clock())
                await session.commit()

        try:
            await asyncio.gather(*(one_writer(number) for number in range(writers)))
        finally:
            await engine.dispose()

    def sql(self, *statements: str) -> None:
        async def work(session: Any) -> None:
            for statement in statements:
                await session.execute(text(statement))

        asyncio.run(self._run(work))

    def without_triggers(self, *statements: str) -> None:
        """What a DBA with the owner's rights can do: switch the append-only triggers off, then write."""
        if BACKEND == "postgresql":
            self.sql("ALTER TABLE audit_entries DISABLE TRIGGER USER", *statements, "ALTER TABLE audit_entries ENABLE TRIGGER USER")
        else:
            self.sql(
                "DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete", *statements
            )

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
        try:
            self.main(list(args))
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        return code, capsys.readouterr().out


def _last_json(output: str) -> dict[str, Any]:
    return json.loads(output.strip().splitlines()[-1])


def test_audit_verify_reports_an_intact_chain(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 0, out
    assert _last_json(out)["intact"] is True and _last_json(out)["rows"] == 6


def test_simultaneous_requests_of_one_school_extend_its_chain_one_after_another(
    chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(chain.append_concurrently(writers=8, events_each=5))
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 0, out
    assert _last_json(out)["intact"] is True and _last_json(out)["rows"] == 6 + 8 * 5, out


def test_audit_rows_stand_or_fall_with_the_request_that_wrote_them(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(chain.append_then_roll_back(3))
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 0 and _last_json(out)["rows"] == 6, out


def test_audit_verify_names_the_one_row_whose_content_was_changed(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    chain.without_triggers("UPDATE audit_entries SET role = 'headteacher' WHERE seq = 4")
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 1
    report = _last_json(out)
    assert report["intact"] is False and report["first_broken_seq"] == 4, report


def test_audit_verify_names_the_row_after_a_deleted_one(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    chain.without_triggers("DELETE FROM audit_entries WHERE seq = 3")
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 1 and _last_json(out)["first_broken_seq"] == 4, out


def test_a_signed_checkpoint_exposes_a_rewrite_of_the_whole_chain(
    chain: Chain, capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    exported = workdir / f"checkpoint-{uuid.uuid4().hex}.jws"
    code, out = chain.cli(capsys, "audit-checkpoint", "--output", str(exported))
    assert code == 0 and exported.read_text().count(".") == 2
    # Rewrite everything: delete every row and append a new, internally consistent chain.
    chain.without_triggers("DELETE FROM audit_entries")
    asyncio.run(chain.append(8, subject="someone-else"))
    for args in (("audit-verify",), ("audit-verify", "--checkpoint", str(exported))):
        code, out = chain.cli(capsys, *args)
        report = _last_json(out)
        assert code == 1 and "rewritten" in report["problem"], out
        # The new rows may reuse the old seqs (SQLite does once a table is empty): then nothing is
        # "missing", but the row at the checkpointed seq carries another hash.
        (gap,) = report["chains"]
        assert gap["tenant"] == "100001" and (gap["rewritten"] or gap["rows_missing"] == 6), report


def test_audit_verify_without_arguments_counts_the_rows_of_an_emptied_chain(
    chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chain.cli(capsys, "audit-checkpoint")[0] == 0
    chain.without_triggers("DELETE FROM audit_entries")
    code, out = chain.cli(capsys, "audit-verify")
    report = _last_json(out)
    assert code == 1, out
    assert report["rows_missing"] == 6 and report["chains"] == [
        {"tenant": "100001", "checkpoint_seq": 6, "rows_missing": 6, "rewritten": False}
    ]


def test_a_chain_cut_short_is_consistent_in_itself_but_caught_against_the_checkpoint(
    chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(chain.append(4, subject="dsl-100002", tenant="100002"))  # rows 7 to 10, another school's chain
    assert chain.cli(capsys, "audit-checkpoint")[0] == 0
    # The intruder cuts the last two rows off the first school's chain and lets it grow again from row 4.
    chain.without_triggers("DELETE FROM audit_entries WHERE seq IN (5, 6)")
    asyncio.run(chain.append(3))
    code, out = chain.cli(capsys, "audit-verify")
    report = _last_json(out)
    assert code == 1, out
    assert report["chains"] == [
        {"tenant": "100001", "checkpoint_seq": 6, "rows_missing": 2, "rewritten": False}
    ], report
    assert report["rows_missing"] == 2


def test_a_checkpoint_is_not_signed_over_a_chain_that_lost_rows(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    assert chain.cli(capsys, "audit-checkpoint")[0] == 0
    chain.without_triggers("DELETE FROM audit_entries WHERE seq = 6")
    code, out = chain.cli(capsys, "audit-checkpoint")
    assert code == 1 and _last_json(out)["written"] is False, out
    assert len(list(chain.checkpoints.glob("checkpoint-*.jws"))) == 1
    assert _last_json(chain.cli(capsys, "audit-verify")[1])["rows_missing"] == 1


def test_a_forged_checkpoint_fails_verification(chain: Chain, capsys: pytest.CaptureFixture[str], keys: Keys) -> None:
    assert chain.cli(capsys, "audit-checkpoint")[0] == 0
    forger = TokenIssuer(f"{chain.service}-audit", keys.path("school-idp.pem").read_text())
    forged = forger.sign_document({"service": chain.service, "heads": {}, "rows": 0, "signed_at": "2999-01-01T00:00:00+00:00"})
    (chain.checkpoints / "checkpoint-29990101T000000000000Z-forged.jws").write_text(forged)
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 1 and "does not verify" in _last_json(out)["problem"], out


def test_the_api_process_writes_checkpoints_on_its_schedule_and_none_over_a_cut_chain(
    chain: Chain, capsys: pytest.CaptureFixture[str], keys: Keys, workdir: Path
) -> None:
    def written() -> list[Path]:
        return sorted(chain.checkpoints.glob("checkpoint-*.jws"))

    async def serve(until: Any, seconds: float = 15.0) -> None:
        # Every 50 ms; the app runs until `until()` holds or the time is up.
        if chain.service == "school_api":
            app = create_school_app(school_settings(keys, chain.database.url, workdir, audit_checkpoint_interval_seconds=0.05))
        else:
            app = create_police_app(police_settings(keys, chain.database.url, audit_checkpoint_interval_seconds=0.05))
        async with app.router.lifespan_context(app):
            for _ in range(int(seconds / 0.05)):
                if until():
                    return
                await asyncio.sleep(0.05)

    asyncio.run(serve(lambda: len(written()) >= 2))
    assert len(written()) >= 2
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 0 and _last_json(out)["checkpoint"] == written()[-1].name, out
    chain.without_triggers("DELETE FROM audit_entries WHERE seq > 3")
    before = written()
    asyncio.run(serve(lambda: False, seconds=0.5))
    assert written() == before, "a checkpoint was signed over the cut chain"
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 1 and _last_json(out)["rows_missing"] == 3, out


def test_a_checkpoint_still_verifies_after_rows_are_appended(
    chain: Chain, capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    checkpoint = workdir / f"checkpoint-{uuid.uuid4().hex}.jws"
    assert chain.cli(capsys, "audit-checkpoint", "--output", str(checkpoint))[0] == 0
    asyncio.run(chain.append(3))
    code, out = chain.cli(capsys, "audit-verify", "--checkpoint", str(checkpoint))
    assert code == 0 and _last_json(out)["rows"] == 9, out


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET outcome = 'allowed' WHERE seq = 2", "DELETE FROM audit_entries WHERE seq = 2"]
    + (["TRUNCATE audit_entries"] if BACKEND == "postgresql" else []),
)
def test_the_database_refuses_to_change_or_remove_audit_rows(chain: Chain, statement: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        chain.sql(statement)
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 0 and _last_json(out)["rows"] == 6


# --- Reading a record's audit entries through the API ---------------------------------------


async def test_overseers_read_who_touched_a_school_record_of_their_own_school_only(
    world: World, own_school: Tenant, foreign_school: Tenant
) -> None:
    incident_id = (await world.records(SCHOOL, own_school))["incident_id"]
    await world.school.get(f"/incidents/{incident_id}", headers=world.headers(SCHOOL, "headteacher", own_school))
    await world.school.get(f"/incidents/{incident_id}", headers=world.headers(SCHOOL, "dsl", foreign_school))
    for role in ("dsl", "headteacher"):
        response = await world.school.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=world.headers(SCHOOL, role, own_school))
        assert response.status_code == 200, response.text
        rows = response.json()["items"]
        operations = {(row["role"], row["operation"], row["outcome"]) for row in rows}
        assert ("dsl", "incident.create", "allowed") in operations
        assert ("headteacher", "incident.read", "allowed") in operations
        assert all(row["subject"].endswith(own_school.school_urn) for row in rows), "another school's rows shown"
    foreign = await world.school.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=world.headers(SCHOOL, "dsl", foreign_school))
    assert foreign.status_code == 200
    assert all(row["subject"].endswith(foreign_school.school_urn) for row in foreign.json()["items"]), foreign.text
    assert not any(row["operation"] == "incident.create" for row in foreign.json()["items"])


async def test_supervisors_and_registrars_read_who_touched_a_police_record_of_their_own_force_only(
    world: World, own_school: Tenant, foreign_school: Tenant
) -> None:
    incident_id = (await world.records(POLICE, own_school))["incident_id"]
    for role in ("supervisor", "crime_registrar"):
        response = await world.police.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=world.headers(POLICE, role, own_school))
        assert response.status_code == 200, response.text
        assert any(row["operation"] == "police_incident.create" for row in response.json()["items"])
    foreign = await world.police.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=world.headers(POLICE, "supervisor", foreign_school))
    assert foreign.status_code == 200 and not any(row["operation"] == "police_incident.create" for row in foreign.json()["items"])


async def test_a_refused_call_is_audited_with_its_problem_type_and_request_id(world: World, own_school: Tenant) -> None:
    incident_id = (await world.records(SCHOOL, own_school))["incident_id"]
    request_id = uuid.uuid4().hex
    refused = await world.school.get(
        f"/incidents/{incident_id}/people", headers={**world.headers(SCHOOL, "mis", own_school), "X-Request-ID": request_id}
    )
    assert refused.status_code == 403
    response = await world.school.get("/audit", params={"record_id": incident_id, "limit": 200}, headers=world.headers(SCHOOL, "dsl", own_school))
    row = next(row for row in response.json()["items"] if row["request_id"] == request_id)
    assert (row["role"], row["outcome"], row["problem_type"]) == ("mis", "refused", "/problems/forbidden")
    assert row["operation"] == "list_people"


async def test_audit_rows_hold_ids_and_vocabulary_never_names_or_dates_of_birth(world: World, own_school: Tenant) -> None:
    from tests.security.support import SEEDED_PERSON

    await world.records(SCHOOL, own_school)  # adds a person with a name and a date of birth
    await world.records(POLICE, own_school)  # reports that person to the police
    for app in (world.school_app, world.police_app):
        runtime = app.state.runtime
        async with runtime.session(ALL_TENANTS) as session:
            rows = (await session.execute(text("SELECT * FROM audit_entries"))).mappings().all()
        text_of_rows = json.dumps([dict(row) for row in rows], default=str)
        for value in SEEDED_PERSON.values():
            assert value not in text_of_rows


async def test_every_audit_row_written_by_the_suite_so_far_still_chains(world: World) -> None:
    from shared.audit import verify_chain

    for app in (world.school_app, world.police_app):
        runtime = app.state.runtime
        async with runtime.session(ALL_TENANTS) as session:
            report = await verify_chain(session, runtime.audit_model)
        assert report.intact, (report.first_broken_seq, report.problem)


# --- A list page's one row (issue 15) --------------------------------------------------------


async def _append_list_page(chain: Chain, shown: list[tuple[str, str]]) -> None:
    async def work(session: Any) -> None:
        trail = AuditTrail(request_id=uuid.uuid4().hex, actor=Actor("dsl-100001", "dsl", "100001"))
        trail.list_page("incident.list", "incident", shown)
        await append_events(session, chain.model, trail, Clock())

    await chain._run(work)


@pytest.mark.parametrize("tampered", ["the other two", "one dropped", "none"])
def test_audit_verify_names_the_list_row_whose_ids_were_changed(
    chain: Chain, capsys: pytest.CaptureFixture[str], tampered: str
) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    asyncio.run(_append_list_page(chain, [("incident", record_id) for record_id in ids]))  # row 7
    assert chain.cli(capsys, "audit-verify")[0] == 0
    changed = {"the other two": json.dumps([str(uuid.uuid4()), str(uuid.uuid4()), ids[2]]), "one dropped": json.dumps(ids[1:]), "none": None}[tampered]
    value = "NULL" if changed is None else f"'{changed}'"
    chain.without_triggers(f"UPDATE audit_entries SET record_ids = {value} WHERE seq = 7")
    code, out = chain.cli(capsys, "audit-verify")
    assert code == 1 and _last_json(out)["first_broken_seq"] == 7, out


def test_rows_written_before_list_pages_had_their_columns_still_verify_and_checkpoint(
    workdir: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows chained by the revision before the list columns keep their hashes: a row without ids hashes the
    content it always had. Written here as that revision wrote them (its columns only), then migrated to head."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import insert

    from shared.audit import GENESIS_HASH, chain_hash
    from shared.migrations import alembic_config

    service = "school_api"
    main, model, session_class, prefix, key = SERVICES[service]
    database = ThrowAwayDatabase(f"audit_old_{uuid.uuid4().hex[:6]}", workdir)
    try:
        scripts = ScriptDirectory.from_config(alembic_config(service, database.url))
        before_lists = scripts.get_revision("a4c1e7d2b9f0").down_revision  # the revision that adds record_ids
        upgrade(service, database.url, before_lists)
        checkpoints = checkpoint_dir(workdir, database.url)
        for name, value in (("DATABASE_URL", database.url), ("SIGNING_KEY_FILE", str(keys.path(key))), ("ENVIRONMENT", "test"),
                            ("AUDIT_CHECKPOINT_DIR", str(checkpoints))):
            monkeypatch.setenv(prefix + name, value)
        old = Chain(service, main, model, session_class, database, checkpoints)
        rows, previous = [], GENESIS_HASH
        for minute in range(1, 4):
            row = {
                "occurred_at": datetime(2026, 11, 27, 9, minute, tzinfo=UTC), "request_id": f"old-{minute}", "subject": "dsl-100001",
                "role": "dsl", "tenant": "100001", "operation": "incident.read", "record_type": "incident",
                "record_id": str(uuid.uuid4()), "outcome": "allowed", "problem_type": None,
            }
            # The canonical content as that revision wrote it: these ten fields, nothing else.
            content = json.dumps({**row, "occurred_at": row["occurred_at"].isoformat()}, sort_keys=True, separators=(",", ":"))
            previous = row["hash"] = chain_hash(previous, content)
            rows.append(row | {"prev_hash": rows[-1]["hash"] if rows else GENESIS_HASH})

        async def write_old(session: Any) -> None:
            await session.execute(insert(model.__table__), rows)

        asyncio.run(old._run(write_old))
        upgrade(service, database.url)
        assert old.cli(capsys, "audit-checkpoint")[0] == 0
        asyncio.run(_append_list_page(old, [("incident", str(uuid.uuid4()))]))
        code, out = old.cli(capsys, "audit-verify")
        assert code == 0 and _last_json(out)["rows"] == 4, out
    finally:
        database.drop()
