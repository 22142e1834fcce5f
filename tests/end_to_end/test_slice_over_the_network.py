"""The first slice across both services as real uvicorn processes over loopback (issue 2, acceptance 5)."""
from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.processes import ServiceProcess, police_env, register_school, school_env
from tests.school_api.workflow import READY_TO_REFER
from tests.support import Keys, ThrowAwayDatabase, Tokens, bearer, fresh_urn

FORCE = "52"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[tuple[ServiceProcess, ServiceProcess, str]]:
    folder = tmp_path_factory.mktemp("e2e")
    school_db = ThrowAwayDatabase.at_head("e2e_school", "school_api", folder)
    police_db = ThrowAwayDatabase.at_head("e2e_police", "police_api", folder)
    urn = fresh_urn()
    clients_file = folder / "police-clients.json"
    police = ServiceProcess("services.police_api.app", police_env(keys, police_db.url), folder / "police.log")
    register_school(police.env, urn, FORCE, clients_file)
    school = ServiceProcess("services.school_api.app", school_env(keys, school_db.url, police.url, clients_file), folder / "school.log")
    police.start(wait=False)
    school.start(wait=False)
    try:
        police.wait_ready()
        school.wait_ready()
        yield school, police, urn
    finally:
        school.stop()
        police.stop()
        school_db.drop()
        police_db.drop()


def test_both_services_are_alive_and_ready(running: tuple[ServiceProcess, ServiceProcess, str]) -> None:
    for service in running[:2]:
        assert httpx.get(f"{service.url}/healthz").status_code == 200
        ready = httpx.get(f"{service.url}/readyz")
        assert ready.status_code == 200 and ready.json()["migrations"] == "at head"


def test_a_referral_travels_from_school_to_police_and_the_reference_comes_back(
    running: tuple[ServiceProcess, ServiceProcess, str], tokens: Tokens
) -> None:
    school, police, urn = running
    dsl = bearer(tokens.school("dsl", urn))
    created = httpx.post(
        f"{school.url}/incidents",
        json={"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer", "image_nature": "potentially_illegal"},
        headers=dsl,
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    etag = created.headers["ETag"]
    for suffix, body in READY_TO_REFER:  # S-DSL and the risk assessment come before a decision
        prepared = httpx.post(f"{school.url}/incidents/{incident['id']}{suffix}", json=body, headers=dsl)
        assert prepared.status_code == 201, prepared.text
        etag = prepared.headers.get("ETag", etag)
    decided = httpx.post(
        f"{school.url}/incidents/{incident['id']}/decision",
        json={"outcome": "refer_police", "police_channel": "scpo", "reasons": "Potentially illegal image; adult suspected."},
        headers={**dsl, "If-Match": etag},
    )
    assert decided.status_code == 201, decided.text

    deadline = time.monotonic() + 15
    referral: dict = {}
    while time.monotonic() < deadline:
        referral = httpx.get(f"{school.url}/incidents/{incident['id']}/referrals", headers=dsl).json()["items"][0]
        if referral["delivery_state"] == "delivered":
            break
        time.sleep(0.1)
    assert referral["delivery_state"] == "delivered", referral
    assert referral["police_reference"].startswith(f"{FORCE}-")

    officer = bearer(tokens.police("supervisor", FORCE))
    listed = httpx.get(f"{police.url}/incidents", headers=officer, params={"limit": 200}).json()["items"]
    assert referral["police_reference"] in {item["reference"] for item in listed}
    other_force = bearer(tokens.police("supervisor", "01"))
    assert referral["police_reference"] not in {
        item["reference"] for item in httpx.get(f"{police.url}/incidents", headers=other_force).json()["items"]
    }
