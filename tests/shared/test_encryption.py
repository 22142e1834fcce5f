"""Encryption at rest (issue 14): names, dates of birth and narrative text are stored as tokens sealed for
their row, read back whole through the API, and survive a key rotation; a token moved to another row,
altered, or under a key the ring does not hold does not open."""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Text, select, type_coerce, update

from services.school_api import cli as school_cli
from services.school_api.database import Base as SchoolBase
from services.school_api.incidents.models import Incident
from services.school_api.people.models import Person
from shared.encryption import (
    DataKeyError,
    EncryptedText,
    KeyRing,
    add_data_key,
    encrypted_columns,
    new_key_ring,
    tables_with_encrypted_columns,
    value_context,
)
from shared.tenancy import ALL_TENANTS
from tests.school_api.workflow import School
from tests.support import Keys, ThrowAwayDatabase, Tokens


def test_a_token_opens_only_for_the_table_column_and_row_it_was_sealed_for() -> None:
    ring = new_key_ring()
    row, other_row = uuid.uuid4(), uuid.uuid4()
    token = ring.seal(b"Marigold", value_context("people", "given_name", row))
    assert token.startswith(f"v1:{ring.current}:") and "Marigold" not in token
    assert ring.open(token, value_context("people", "given_name", row)) == b"Marigold"
    for elsewhere in (
        value_context("people", "given_name", other_row),
        value_context("people", "family_name", row),
        value_context("incidents", "given_name", row),
    ):
        with pytest.raises(DataKeyError):
            ring.open(token, elsewhere)


def test_an_altered_token_or_one_under_a_key_the_ring_lacks_is_refused() -> None:
    ring = new_key_ring()
    context = value_context("incidents", "narrative", uuid.uuid4())
    version, kid, nonce, sealed = ring.seal(b"what the pupil said", context).split(":")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DataKeyError):
        ring.open(":".join((version, kid, nonce, flipped)), context)
    with pytest.raises(DataKeyError, match="no data key"):
        ring.open(new_key_ring().seal(b"x", context), context)
    # The key id is bound too: the same ciphertext relabelled with another key id of the ring does not open.
    rotated = ring.with_new_current_key()
    with pytest.raises(DataKeyError):
        rotated.open(":".join((version, rotated.current, nonce, sealed)), context)


def test_keyed_hashes_are_equal_for_equal_values_and_depend_on_the_key_and_the_purpose() -> None:
    ring, other = new_key_ring(), new_key_ring()
    assert ring.keyed_hash("person.upn", "A123456789012") == ring.keyed_hash("person.upn", "A123456789012")
    assert ring.keyed_hash("person.upn", "A123456789012") != other.keyed_hash("person.upn", "A123456789012")
    assert ring.keyed_hash("person.upn", "A123456789012") != ring.keyed_hash("person.name_dob", "A123456789012")


def test_a_ring_file_round_trips_and_a_rotation_keeps_every_old_key(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    path.write_text(json.dumps(new_key_ring().document()))
    before = KeyRing.load(path)
    after = add_data_key(path)
    assert after.current != before.current and set(before.data_keys) < set(after.data_keys)
    assert after.index_key == before.index_key, "the index key is not rotated: every keyed hash would change"
    assert oct(path.stat().st_mode & 0o777) == "0o600"


async def _raw(school_app: Any, table: str, column: str, row_id: uuid.UUID) -> str | None:
    """The value as the database holds it, without the column type's opening."""
    runtime = school_app.state.runtime
    async with runtime.engine.connect() as connection:
        metadata_table = SchoolBase.metadata.tables[table]
        query = select(type_coerce(metadata_table.c[column], Text)).where(metadata_table.c.id == row_id)
        return (await connection.execute(query)).scalar_one()


async def test_a_person_and_a_narrative_are_stored_sealed_and_read_back_whole(
    school: httpx.AsyncClient, school_app: Any, tokens: Tokens, urn: str
) -> None:
    steps = School(school, tokens, urn)
    incident = await steps.open(narrative="Zinnia said the photo went to a group chat")
    person = await steps.add_person(incident, given_name="Zinnia", family_name="Oakenshaw-Pyle", date_of_birth="2012-01-30", age_years=None, upn="A123456789012")

    for table, column, row_id, plain in (
        ("incidents", "narrative", incident["id"], "group chat"),
        ("people", "given_name", person["id"], "Zinnia"),
        ("people", "family_name", person["id"], "Oakenshaw"),
        ("people", "date_of_birth", person["id"], "2012-01-30"),
        ("people", "upn", person["id"], "A123456789012"),
    ):
        stored = await _raw(school_app, table, column, uuid.UUID(row_id))
        assert stored is not None and stored.startswith("v1:") and plain not in stored, (table, column)

    read = (await school.get(steps.path(incident, f"/people/{person['id']}"), headers=steps.dsl)).json()
    assert (read["given_name"], read["family_name"], read["date_of_birth"], read["upn"]) == (
        "Zinnia", "Oakenshaw-Pyle", "2012-01-30", "A123456789012"
    )
    opened = (await school.get(steps.path(incident), headers=steps.dsl)).json()
    assert opened["narrative"] == "Zinnia said the photo went to a group chat"


async def test_a_name_copied_onto_another_persons_row_does_not_open(
    school: httpx.AsyncClient, school_app: Any, tokens: Tokens, urn: str
) -> None:
    steps = School(school, tokens, urn)
    incident = await steps.open()
    first = await steps.add_person(incident, given_name="Ottoline")
    second = await steps.add_person(incident, given_name="Bartholomew")
    token = await _raw(school_app, "people", "given_name", uuid.UUID(first["id"]))
    own = await _raw(school_app, "people", "given_name", uuid.UUID(second["id"]))
    runtime = school_app.state.runtime
    people = Person.__table__

    async def store(value: str | None) -> None:
        async with runtime.engine.begin() as connection:
            await connection.execute(
                update(people).where(people.c.id == uuid.UUID(second["id"])).values({people.c.given_name: type_coerce(value, Text)})
            )

    await store(token)
    try:
        async with runtime.session(ALL_TENANTS) as session:
            with pytest.raises(DataKeyError, match="does not open for its row"):
                await session.scalar(select(Person.given_name).where(Person.id == uuid.UUID(second["id"])))
    finally:
        await store(own)


async def test_an_encrypted_value_can_be_erased_to_null_through_the_orm_and_in_sql(
    school: httpx.AsyncClient, school_app: Any, tokens: Tokens, urn: str
) -> None:
    steps = School(school, tokens, urn)
    incident = await steps.open(narrative="Erased by the retention schedule", where_image_ended_up="a shared drive")
    runtime = school_app.state.runtime
    row_id = uuid.UUID(incident["id"])
    async with runtime.session(ALL_TENANTS) as session:
        record = await session.get_one(Incident, row_id)
        record.narrative = None
        await session.flush()
        await session.execute(update(Incident).where(Incident.id == row_id).values(where_image_ended_up=None))
        await session.commit()
    assert await _raw(school_app, "incidents", "narrative", row_id) is None
    assert await _raw(school_app, "incidents", "where_image_ended_up", row_id) is None
    opened = (await school.get(steps.path(incident), headers=steps.dsl)).json()
    assert opened["narrative"] is None and opened["where_image_ended_up"] is None


def test_a_plain_value_in_a_core_write_or_a_comparison_is_refused_not_stored() -> None:
    column = Person.__table__.c.given_name
    assert isinstance(column.type, EncryptedText)
    with pytest.raises(DataKeyError, match="people.given_name is encrypted"):
        column.type.process_bind_param("Marigold", None)  # type: ignore[arg-type]


@pytest.fixture
def school_cli_on_session_database(school_db: ThrowAwayDatabase, keys: Keys, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`school-api` as the operator runs it against the service's database and key ring, off the event loop."""
    monkeypatch.setenv("SCHOOL_API_DATABASE_URL", school_db.url)
    monkeypatch.setenv("SCHOOL_API_DATA_KEYS_FILE", str(keys.path("school-data-keys.json")))
    monkeypatch.setenv("SCHOOL_API_ENVIRONMENT", "test")

    async def run(*argv: str) -> None:
        await asyncio.to_thread(school_cli.main, list(argv))

    return run


async def _keys_in_use(school_app: Any) -> dict[str, int]:
    """How many stored values are under each data key, over every encrypted column of the school database."""
    counts: dict[str, int] = {}
    async with school_app.state.runtime.engine.connect() as connection:
        for table in tables_with_encrypted_columns(SchoolBase.metadata):
            for column in encrypted_columns(table):
                for (token,) in await connection.execute(select(type_coerce(column, Text)).where(column.is_not(None))):
                    kid = token.split(":")[1]
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


async def test_rotation_adds_a_current_key_old_values_stay_readable_and_every_value_is_re_encrypted(
    school: httpx.AsyncClient, school_app: Any, tokens: Tokens, urn: str, keys: Keys, school_cli_on_session_database: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps = School(school, tokens, urn)
    before = await steps.open(narrative="Recorded under the old key")
    person = await steps.add_person(before, given_name="Wilhelmina", date_of_birth="2011-09-09", age_years=None)
    ring_file = keys.path("school-data-keys.json")

    # The new key first: what is stored under the old one still opens, and the next write uses the new one.
    new_ring = add_data_key(ring_file)
    assert (await school.get(steps.path(before), headers=steps.dsl)).json()["narrative"] == "Recorded under the old key"
    after = await steps.open(narrative="Recorded under the new key")
    assert (await _raw(school_app, "incidents", "narrative", uuid.UUID(after["id"]))).startswith(f"v1:{new_ring.current}:")
    assert (await _raw(school_app, "incidents", "narrative", uuid.UUID(before["id"]))).split(":")[1] != new_ring.current

    # Then the command, which adds yet another key and re-encrypts everything under it, in small batches.
    await school_cli_on_session_database("rotate-data-key", "--batch-size", "7")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["reencrypted"] > 0 and report["by_table"]["people"] > 0
    assert set(await _keys_in_use(school_app)) == {report["current_key"]}

    assert (await school.get(steps.path(before), headers=steps.dsl)).json()["narrative"] == "Recorded under the old key"
    assert (await school.get(steps.path(after), headers=steps.dsl)).json()["narrative"] == "Recorded under the new key"
    read = (await school.get(steps.path(before, f"/people/{person['id']}"), headers=steps.dsl)).json()
    assert (read["given_name"], read["date_of_birth"]) == ("Wilhelmina", "2011-09-09")

    # Nothing left under an older key: a resumed run has nothing to do.
    await school_cli_on_session_database("rotate-data-key", "--resume")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["reencrypted"] == 0
    assert KeyRing.load(ring_file).current == report["current_key"]


def test_init_data_keys_creates_an_owner_only_ring_once_and_never_overwrites_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ring_file = tmp_path / "secrets" / "school-api-data-keys.json"
    monkeypatch.setenv("SCHOOL_API_DATA_KEYS_FILE", str(ring_file))
    school_cli.main(["init-data-keys"])
    created = json.loads(capsys.readouterr().out)
    assert KeyRing.load(ring_file).current == created["current_key"]
    assert oct(ring_file.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(SystemExit, match="exists"):
        school_cli.main(["init-data-keys"])
    assert KeyRing.load(ring_file).current == created["current_key"]
