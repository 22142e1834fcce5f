"""Police-side helpers: submit reports as the school client does, and act as officers of force 52."""
from __future__ import annotations

import random
import string
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from tests.conftest import FORCE
from tests.support import Tokens, bearer


def random_upn() -> str:
    """A valid UPN no other test uses: the whole suite shares one police database per run."""
    from shared.identifiers import upn_check_letter

    body = f"{random.randint(100, 999)}{random.randint(1000, 9999)}{random.randint(10, 99)}{random.randint(100, 999)}"
    return upn_check_letter(body) + body


def random_name() -> str:
    """Letters only (the nominal index ignores digits and punctuation), unique per test."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(10)).capitalize()


def reported_person(
    roles: list[str],
    *,
    kind: str = "pupil",
    given_name: str | None = None,
    family_name: str | None = None,
    date_of_birth: date | None = date(2011, 3, 4),
    upn: str | None = None,
    age_years: int | None = None,
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "school_person_id": str(uuid.uuid4()),
        "kind": kind,
        "roles": roles,
        "given_name": given_name or random_name(),
        "family_name": family_name or random_name(),
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
        "sex": "not_known",
    }
    if upn:
        person["upn"] = upn
    if age_years is not None:
        person["age_years"] = age_years
    return person


def report_payload(people: list[dict[str, Any]], *, typology: str | None = "experimental_romantic") -> dict[str, Any]:
    return {
        "school_incident_id": str(uuid.uuid4()),
        "school_incident_reference": f"INC-{uuid.uuid4().hex[:8]}",
        "channel": "scpo",
        "disclosed_at": "2026-11-27T09:00:00Z",
        "referred_at": "2026-11-27T10:00:00Z",
        "image": {"nature": "potentially_illegal", "widely_shared": False},
        "people": people,
        "devices": [],
        "risk_assessment": {"recommendation": "refer_police", "typology": typology, "rule_ids": [], "reasons": []}
        if typology
        else None,
        "referral_reasons": "Referred under the school's policy.",
    }


@pytest.fixture
async def school_client_headers(registered_school: str, school_app: object, police: httpx.AsyncClient) -> dict[str, str]:
    """A school_client token from POST /oauth/token, exactly as the school's relay obtains it."""
    credentials = school_app.state.relay.police.credentials[registered_school]  # type: ignore[attr-defined]
    answer = await police.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": credentials.client_secret},
    )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


Submit = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def submit(police: httpx.AsyncClient, school_client_headers: dict[str, str]) -> Submit:
    """POST /reports with an Idempotency-Key; returns the receipt."""

    async def _submit(payload: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        answer = await police.post(
            "/reports", json=payload, headers={**school_client_headers, "Idempotency-Key": key or uuid.uuid4().hex}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    return _submit


@pytest.fixture
def officer(tokens: Tokens) -> Callable[..., dict[str, str]]:
    def _officer(role: str, force_code: str = FORCE) -> dict[str, str]:
        return bearer(tokens.police(role, force_code))

    return _officer


@pytest.fixture
def ppu_acknowledge_all(police: httpx.AsyncClient, officer: Callable[..., dict[str, str]]) -> Callable[[str], Awaitable[None]]:
    async def _ack(incident_id: str) -> None:
        ppu = officer("ppu")
        notifications = (await police.get(f"/incidents/{incident_id}/ppu-notifications", headers=ppu)).json()["items"]
        for notification in notifications:
            answer = await police.post(
                f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": f'"v{notification["version"]}"'}
            )
            assert answer.status_code == 200, answer.text

    return _ack
