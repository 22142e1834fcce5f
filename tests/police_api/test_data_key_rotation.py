"""`police-api rotate-data-key` (issue 14): every stored name, date of birth and report is re-encrypted under
a new key, and the nominal index still finds a person again by UPN and by name and date of birth (P-CRIME),
its keyed hashes being under the index key, which a data key rotation leaves alone."""
from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import Text, select, type_coerce

from services.police_api import cli as police_cli
from services.police_api.database import Base
from shared.encryption import encrypted_columns, tables_with_encrypted_columns
from tests.police_api.conftest import random_name, random_upn, report_payload, reported_person
from tests.support import Keys, ThrowAwayDatabase


@pytest.fixture
def police_cli_on_session_database(police_db: ThrowAwayDatabase, keys: Keys, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POLICE_API_DATABASE_URL", police_db.url)
    monkeypatch.setenv("POLICE_API_DATA_KEYS_FILE", str(keys.path("police-data-keys.json")))
    monkeypatch.setenv("POLICE_API_ENVIRONMENT", "test")

    async def run(*argv: str) -> None:
        await asyncio.to_thread(police_cli.main, list(argv))

    return run


async def _key_ids_in_use(police_app: Any) -> set[str]:
    found: set[str] = set()
    async with police_app.state.runtime.engine.connect() as connection:
        for table in tables_with_encrypted_columns(Base.metadata):
            for column in encrypted_columns(table):
                query = select(type_coerce(column, Text)).where(column.is_not(None))
                found |= {token.split(":")[1] for (token,) in await connection.execute(query)}
    return found


async def test_after_a_rotation_every_value_is_under_the_new_key_and_people_are_still_found_again(
    police: httpx.AsyncClient, police_app: Any, submit, officer, police_cli_on_session_database, capsys: pytest.CaptureFixture[str]
) -> None:
    given, family, upn = random_name(), random_name(), random_upn()
    by_name = await submit(report_payload([reported_person(["pictured"], given_name=given, family_name=family, date_of_birth=date(2011, 2, 3))]))
    by_upn = await submit(report_payload([reported_person(["sender"], upn=upn)]))

    await police_cli_on_session_database("rotate-data-key", "--batch-size", "50")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["by_table"]["persons"] > 0 and report["by_table"]["school_reports"] > 0
    assert await _key_ids_in_use(police_app) == {report["current_key"]}

    again_by_name = await submit(
        report_payload([reported_person(["pictured"], given_name=given.upper(), family_name=family, date_of_birth=date(2011, 2, 3))])
    )
    again_by_upn = await submit(report_payload([reported_person(["sender"], upn=upn)]))
    scpo = officer("scpo")

    async def person_of(receipt: dict[str, Any]) -> dict[str, Any]:
        link = (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=scpo)).json()["items"][0]
        return (await police.get(f"/persons/{link['person_id']}", headers=scpo)).json()

    first, second = await person_of(by_name), await person_of(again_by_name)
    assert first["id"] == second["id"] and (first["given_name"], first["date_of_birth"]) == (given, "2011-02-03")
    assert (await person_of(by_upn))["id"] == (await person_of(again_by_upn))["id"]
