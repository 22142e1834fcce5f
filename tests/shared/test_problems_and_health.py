"""Errors are RFC 9457 problem+json everywhere, with a stable type per kind and nothing echoed back."""
from __future__ import annotations

import httpx

from shared.problems import catalogue


async def test_validation_errors_are_problems_that_do_not_echo_the_input(school: httpx.AsyncClient, dsl: dict) -> None:
    secret_text = "Jane Doe born 2011-03-04"
    response = await school.post(
        "/incidents", json={"disclosed_at": secret_text, "disclosure_source": "peer"}, headers=dsl
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/validation-failed"
    assert body["errors"][0]["loc"] == ["body", "disclosed_at"]
    assert secret_text not in response.text


async def test_unknown_route_and_wrong_method_are_problems(school: httpx.AsyncClient, dsl: dict) -> None:
    missing = await school.get("/nowhere", headers=dsl)
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/not-found"
    wrong = await school.delete("/incidents", headers=dsl)
    assert wrong.status_code == 405 and wrong.json()["type"] == "/problems/method-not-allowed"


async def test_every_problem_type_resolves_to_its_description(school: httpx.AsyncClient, police: httpx.AsyncClient) -> None:
    for client in (school, police):
        for slug, problem in catalogue().items():
            described = await client.get(f"/problems/{slug}")
            assert described.status_code == 200
            assert described.json()["status"] == problem.status


async def test_foreign_school_incident_is_not_found(school: httpx.AsyncClient, tokens, urn: str) -> None:
    from tests.support import bearer, fresh_urn

    created = await school.post(
        "/incidents", json={"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer"},
        headers=bearer(tokens.school("dsl", urn)),
    )
    other = bearer(tokens.school("dsl", fresh_urn()))
    response = await school.get(f"/incidents/{created.json()['id']}", headers=other)
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"


async def test_health_endpoints_answer(school: httpx.AsyncClient, police: httpx.AsyncClient) -> None:
    for client in (school, police):
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["migrations"] == "at head"


async def test_every_response_carries_the_security_headers(school: httpx.AsyncClient, dsl: dict) -> None:
    response = await school.get("/incidents", headers=dsl)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


async def test_a_request_that_finds_every_database_connection_busy_is_told_to_retry(
    keys, school_db, workdir, tokens, urn: str
) -> None:
    from services.school_api.app import create_app
    from shared.clock import Clock
    from tests.conftest import school_settings
    from tests.support import bearer

    settings = school_settings(keys, school_db.url, workdir, db_pool_size=1, db_pool_timeout_seconds=0.2)
    app = create_app(settings, clock=Clock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://school-api") as client:
            dsl = bearer(tokens.school("dsl", urn))
            async with app.state.runtime.engine.connect():  # the pool's only connection, held
                busy = await client.get("/incidents", headers=dsl)
            assert busy.status_code == 503
            assert busy.json()["type"] == "/problems/service-unavailable"
            assert busy.headers["retry-after"] == "1"
            assert (await client.get("/incidents", headers=dsl)).status_code == 200
