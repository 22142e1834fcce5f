"""The status changes feed (issue 15): every status-changing write marks its report for the school
client that sent it, in order, and a long poll answers as soon as a change commits."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from services.police_api.database import AuditEntry
from shared.tenancy import ALL_TENANTS

from tests.police_api.conftest import Submit, report_payload, reported_person


async def _feed(police: httpx.AsyncClient, client: dict[str, str], after: str | None = None, **params: object) -> dict:
    answer = await police.get("/status-changes", params={**({"cursor": after} if after else {}), **params}, headers=client)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _end(police: httpx.AsyncClient, client: dict[str, str]) -> str | None:
    """Where the client's feed stands now: the position of its last change (None while it has none)."""
    position, page = None, await _feed(police, client)
    while True:
        if page["items"]:
            position = str(page["items"][-1]["position"])
        if page["next_cursor"] is None:
            return position
        page = await _feed(police, client, after=page["next_cursor"])


async def _record_crime(police: httpx.AsyncClient, officer: Callable[..., dict[str, str]], incident_id: str) -> None:
    scpo = officer("scpo")
    links = (await police.get(f"/incidents/{incident_id}/links", headers=scpo)).json()["items"]
    victim = next(link for link in links if "pictured" in link["reported_roles"])
    crime = await police.post(
        f"/incidents/{incident_id}/crimes", json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text


async def test_a_received_report_is_in_its_schools_feed_with_what_the_school_may_know(
    police: httpx.AsyncClient, submit: Submit, school_client_headers: dict[str, str]
) -> None:
    start = await _end(police, school_client_headers)
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["recipient"])]))
    page = await _feed(police, school_client_headers, after=start)
    assert [item["report_id"] for item in page["items"]] == [receipt["id"]]
    status = page["items"][0]["status"]
    assert status["police_reference"] == receipt["police_reference"]
    assert status["crimes_recorded"] == 0 and status["ppu_notified"] is True
    assert page["next_cursor"] is None  # nothing more follows at once
    # Read to the end, the feed has nothing more: an idle follower is answered with an empty page.
    assert (await _feed(police, school_client_headers, after=str(page["items"][-1]["position"])))["items"] == []


async def test_recording_a_crime_marks_the_report_again_after_its_receipt(
    police: httpx.AsyncClient, submit: Submit, school_client_headers: dict[str, str], officer: Callable[..., dict[str, str]]
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["recipient", "possessor"])]))
    after_receipt = await _end(police, school_client_headers)
    await _record_crime(police, officer, receipt["police_incident_id"])
    page = await _feed(police, school_client_headers, after=after_receipt)
    assert [item["report_id"] for item in page["items"]] == [receipt["id"]]
    assert page["items"][0]["status"]["crimes_recorded"] == 1


async def test_a_long_poll_answers_when_a_change_commits_not_when_the_wait_ends(
    police: httpx.AsyncClient, submit: Submit, school_client_headers: dict[str, str], officer: Callable[..., dict[str, str]]
) -> None:
    receipt = await submit(report_payload([reported_person(["pictured", "sender"]), reported_person(["recipient"])]))
    cursor = await _end(police, school_client_headers)
    started = time.perf_counter()
    waiting = asyncio.create_task(_feed(police, school_client_headers, after=cursor, wait=20))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # nothing changed yet: the request is held
    await _record_crime(police, officer, receipt["police_incident_id"])
    page = await asyncio.wait_for(waiting, timeout=10)
    assert [item["report_id"] for item in page["items"]] == [receipt["id"]]
    assert time.perf_counter() - started < 5


async def test_one_schools_feed_never_shows_another_schools_reports(
    police: httpx.AsyncClient, police_app: object, submit: Submit, school_client_headers: dict[str, str]
) -> None:
    other_school = await _another_school_client(police, police_app)
    before = await _end(police, other_school)
    await submit(report_payload([reported_person(["pictured", "sender"])]))
    assert (await _feed(police, other_school, after=before))["items"] == []
    assert (await _feed(police, school_client_headers))["items"] != []


async def _another_school_client(police: httpx.AsyncClient, police_app: object) -> dict[str, str]:
    from services.police_api.clients.service import register_school_client
    from shared.tenancy import ALL_TENANTS
    from tests.support import bearer, fresh_urn

    urn = fresh_urn()
    client_id = f"school-{urn}-other"
    runtime = police_app.state.runtime  # type: ignore[attr-defined]
    async with runtime.session(ALL_TENANTS) as session:
        secret = await register_school_client(session, client_id=client_id, school_urn=urn, force_code="52", now=runtime.clock.now())
        await session.commit()
    token = await police.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert token.status_code == 200, token.text
    return bearer(token.json()["access_token"])


async def test_a_cursor_the_service_never_issued_is_refused(police: httpx.AsyncClient, school_client_headers: dict[str, str]) -> None:
    answer = await police.get("/status-changes", params={"cursor": "-1"}, headers=school_client_headers)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/malformed-request")


async def test_an_officer_token_cannot_follow_a_schools_feed(police: httpx.AsyncClient, officer: Callable[..., dict[str, str]]) -> None:
    assert (await police.get("/status-changes", headers=officer("supervisor"))).status_code == 403


async def test_a_follower_that_hangs_up_mid_wait_frees_its_wait_at_once_and_nothing_is_read_for_it(
    police_app: Any, school_app: Any, registered_school: str, police: httpx.AsyncClient, school_client_headers: dict[str, str]
) -> None:
    """A stopped or restarted relay must not leave its long poll waiting out the 55 s (nor hold the server's
    graceful stop): the request ends when the connection closes, and no feed read is audited for nobody."""
    client_id = school_app.state.relay.police.credentials[registered_school].client_id
    waiting_for = police_app.state.feed_waiters._waiting  # other tests' followers may be waiting too
    cursor = await _end(police, school_client_headers)
    feed_reads = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.operation == "status_change.list", AuditEntry.subject == client_id
    )
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        reads_before = (await session.execute(feed_reads)).scalar_one()
    hang_up = asyncio.Event()
    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/status-changes", "raw_path": b"/status-changes", "root_path": "", "state": {},
        "query_string": f"wait=20{'&cursor=' + cursor if cursor else ''}".encode(),
        "headers": [(name.lower().encode(), value.encode()) for name, value in school_client_headers.items()],
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80),
    }
    waiting = asyncio.create_task(police_app(scope, receive, send))
    await asyncio.sleep(0.3)
    assert not waiting.done() and waiting_for.get(client_id)  # held, and waiting on the feed
    started = time.perf_counter()
    hang_up.set()
    await asyncio.wait_for(waiting, timeout=5)
    assert time.perf_counter() - started < 1
    assert not waiting_for.get(client_id)
    async with police_app.state.runtime.session(ALL_TENANTS) as session:
        assert (await session.execute(feed_reads)).scalar_one() == reads_before
