"""P-OFFENCES: one national table of Home Office offence codes, added to by the deployment's operator only.

Every force records its crimes against the same table, so no force's officer may change it: a code one
force added would change what every other force records.
"""
from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from services.police_api import cli as police_cli
from tests.police_api.conftest import report_payload, reported_person
from tests.support import Keys, ThrowAwayDatabase


@pytest.fixture
def operator_cli(police_db: ThrowAwayDatabase, keys: Keys, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`police-api` as the operator runs it against the service's database, off the event loop as a process would be."""
    monkeypatch.setenv("POLICE_API_DATABASE_URL", police_db.url)
    monkeypatch.setenv("POLICE_API_SIGNING_KEY_FILE", str(keys.path("police-signing.pem")))
    monkeypatch.setenv("POLICE_API_ENVIRONMENT", "test")

    async def run(*argv: str) -> None:
        await asyncio.to_thread(police_cli.main, list(argv))

    return run


def _new_code() -> str:
    return f"{random.randint(100, 999)}/{random.randint(1, 99)}"  # no real Home Office class starts at 100


async def test_an_offence_code_the_operator_adds_is_in_every_forces_table_and_crimes_are_recorded_against_it(
    police: httpx.AsyncClient, submit, officer, operator_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _new_code()
    await operator_cli("add-offence-code", "--code", code, "--title", "A classification published after 86/10",
                       "--statute", "A later Act", "--added-by", "national-operator")
    assert f'"code": "{code}"' in capsys.readouterr().out
    for force in ("52", "53"):
        listed = (await police.get("/offence-codes", headers=officer("scpo", force_code=force))).json()["items"]
        assert code in {row["code"] for row in listed}

    receipt = await submit(report_payload([reported_person(["pictured"]), reported_person(["sharer"])]))
    scpo = officer("scpo")
    links = {link["role"]: link for link in (await police.get(f"/incidents/{receipt['police_incident_id']}/links", headers=scpo)).json()["items"]}
    crime = await police.post(
        f"/incidents/{receipt['police_incident_id']}/crimes",
        json={"victim_person_id": links["victim"]["person_id"], "offence_code": code}, headers=scpo,
    )
    assert crime.status_code == 201 and crime.json()["offence_code"] == code


@pytest.mark.parametrize("role", ["supervisor", "crime_registrar"])
async def test_no_officer_can_add_to_the_national_offence_table(police: httpx.AsyncClient, officer, role: str) -> None:
    attempt = await police.post(
        "/offence-codes", json={"code": _new_code(), "title": "A code one force made up", "statute": "None"}, headers=officer(role)
    )
    assert attempt.status_code == 405
    assert attempt.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "code, refusal",
    [("86-2", "not added: code:"), ("86/2", "not added: That offence code is already in the reference table.")],
)
async def test_the_operator_is_told_why_a_code_is_not_added(operator_cli, code: str, refusal: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        await operator_cli("add-offence-code", "--code", code, "--title", "Indecent photographs of children",
                           "--statute", "Protection of Children Act 1978", "--added-by", "national-operator")
    assert str(stopped.value).startswith(refusal)
