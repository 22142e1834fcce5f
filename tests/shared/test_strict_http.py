"""The HTTP edge says exactly what it takes (issue 14): a 405 names the methods a path does take, If-Match
is documented as required where an update needs it, and query strings are read strictly: a date is not
`0.5`, an integer not `1.0`, and a parameter the operation does not have is refused, not ignored."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest

from shared.settings import REPO_ROOT
from tests.support import Tokens, bearer

SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    "service, method, path, allow",
    [
        ("school", "DELETE", "/incidents", "GET, POST"),
        ("school", "PUT", f"/incidents/{SOME_ID}", "GET, PATCH"),
        ("school", "DELETE", f"/incidents/{SOME_ID}/decision", "GET, POST"),
        ("police", "DELETE", "/incidents", "GET, POST"),
        ("police", "GET", "/oauth/token", "POST"),
        ("police", "POST", "/.well-known/jwks.json", "GET"),
    ],
)
async def test_a_method_a_path_does_not_take_is_answered_405_naming_those_it_does(
    school: httpx.AsyncClient, police: httpx.AsyncClient, tokens: Tokens, service: str, method: str, path: str, allow: str
) -> None:
    client = school if service == "school" else police
    token = tokens.school("dsl", "100001") if service == "school" else tokens.police("supervisor", "52")
    response = await client.request(method, path, headers=bearer(token))
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json()["type"] == "/problems/method-not-allowed"


@pytest.mark.parametrize("service", ["school_api", "police_api"])
def test_if_match_is_documented_as_required_on_every_operation_that_takes_it(service: str) -> None:
    document = json.loads((REPO_ROOT / "openapi" / f"{service}.json").read_text())
    found = [
        (method, path, parameter)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if parameter["name"].lower() == "if-match"
    ]
    assert len(found) >= 5
    for method, path, parameter in found:
        assert parameter["required"] is True and parameter["in"] == "header", (method, path)
        assert "ETag" in parameter["description"], (method, path)
        assert "428" in document["paths"][path][method]["responses"], (method, path)


async def test_an_update_without_if_match_is_told_to_send_it(police: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await police.post(
        f"/ppu/notifications/{uuid.uuid4()}/acknowledge", headers=bearer(tokens.police("ppu", "52"))
    )
    assert response.status_code == 428 and response.json()["type"] == "/problems/precondition-required"


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"disclosed_from": "0.5"}, "disclosed_from"),
        ({"disclosed_to": "1700000000"}, "disclosed_to"),
        ({"limit": "1.0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "5\n"}, "limit"),
        ([("limit", "5"), ("limit", "6")], "limit"),
        ({"disclosed_form": "2026-11-03T00:00:00Z"}, None),
    ],
)
async def test_a_query_parameter_that_cannot_be_read_strictly_is_a_malformed_request(
    school: httpx.AsyncClient, dsl: dict, params: object, parameter: str | None
) -> None:
    response = await school.get("/incidents", params=params, headers=dsl)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "/problems/malformed-request"
    locations = [error["loc"] for error in body["errors"]]
    assert locations == ([["query", parameter]] if parameter else [["query"]]), body
    assert "0.5" not in response.text and "disclosed_form" not in response.text, "the value sent is echoed"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/compliance/crime-recording/late-crimes", {"reported_from": "0.5"}),
        ("/ppu/notifications", {"unacknowledged": "yes"}),
        ("/audit", {"record_id": SOME_ID.replace("-", "")}),
        ("/incidents", {"include_other_forces": "true"}),
    ],
)
async def test_the_police_read_query_strings_as_strictly(
    police: httpx.AsyncClient, tokens: Tokens, path: str, params: dict
) -> None:
    response = await police.get(path, params=params, headers=bearer(tokens.police("supervisor", "52")))
    assert response.status_code == 400 and response.json()["type"] == "/problems/malformed-request", response.text


async def test_well_formed_query_strings_are_read_as_before(school: httpx.AsyncClient, dsl: dict) -> None:
    window = {"disclosed_from": "2026-11-03T00:00:00Z", "disclosed_to": "2026-11-05T00:00:00.123+01:00", "limit": "20"}
    assert (await school.get("/incidents", params=window, headers=dsl)).status_code == 200
    out_of_range = await school.get("/incidents", params={"limit": "0"}, headers=dsl)
    assert out_of_range.status_code == 422 and out_of_range.json()["type"] == "/problems/validation-failed"
