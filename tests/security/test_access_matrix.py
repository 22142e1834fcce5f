"""The access matrix (issue 6, OWASP API1/API2/API5): every operation in each app's OpenAPI, called
by every role of both parties, on its own tenant's record and on a foreign tenant's, with no token
and with the other party's token, answers what docs/access-policy.md says, and leaves an audit row.

Generated from the OpenAPI documents and the POLICY tables: a new endpoint is in the matrix the
moment it exists, and fails it until it has a POLICY entry (and, for a new path parameter, a
seeding entry in tests/security/support.py).
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import TALLY
from tests.security.matrix import (
    check_refusal_audited,
    check_success_audited,
    expected_actor,
    leaked,
    send,
)
from tests.security.support import (
    OTHER_PARTY,
    POLICE,
    ROW_SCOPED,
    POLICIES,
    PUBLIC_OPERATIONS,
    ROLES,
    SERVICES,
    Operation,
    Tenant,
    World,
    build_request,
    openapi_documents,
    operations,
    unseedable,
)

DOCUMENTS = openapi_documents()
OPERATIONS = [operation for service in SERVICES for operation in operations(service, DOCUMENTS[service])]
PROTECTED = [operation for operation in OPERATIONS if not operation.is_public]


def test_every_operation_in_the_openapi_has_a_policy_entry_or_is_declared_public() -> None:
    missing = [
        operation.label
        for operation in OPERATIONS
        if not operation.is_public and operation.operation_id not in POLICIES[operation.service]
    ]
    assert not missing, f"operations without a POLICY entry (default deny, and undocumented): {missing}"


def test_declared_public_operations_exist_and_have_no_policy_entry() -> None:
    for service in SERVICES:
        ids = {operation.operation_id for operation in OPERATIONS if operation.service == service}
        for operation_id in PUBLIC_OPERATIONS[service]:
            assert operation_id in ids, f"{service}:{operation_id} is declared public but no longer exists"
            assert operation_id not in POLICIES[service], f"{service}:{operation_id} is public and in POLICY"


def test_every_policy_names_only_roles_of_its_own_party() -> None:
    for service in SERVICES:
        for operation_id, roles in POLICIES[service].items():
            assert {str(role) for role in roles} <= set(ROLES[service]), (service, operation_id)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.is_public], ids=lambda op: op.label)
async def test_public_operations_answer_without_a_token(operation: Operation, world: World, documents: dict) -> None:
    request = await build_request(world, operation, documents[operation.service], _any_tenant())
    response = await world.client(operation.service).request(**request)
    assert response.status_code != 401 and response.status_code < 500, response.text


def _any_tenant() -> Tenant:
    return Tenant("public", "100000", "53")


@pytest.mark.parametrize("operation", PROTECTED, ids=lambda op: op.label)
async def test_operation_answers_as_the_access_policy_documents(
    operation: Operation, world: World, documents: dict[str, Any], own_school: Tenant, foreign_school: Tenant
) -> None:
    missing = unseedable(operation)
    assert not missing, (
        f"{operation.label}: cannot build a call, no seeding entry for parameter(s) {missing}; "
        "add them to RECORDS + SEEDED_PARAMS / QUERY_SEEDS / HEADER_VALUES in tests/security/support.py"
    )
    allowed = {str(role) for role in POLICIES[operation.service].get(operation.operation_id, frozenset())}
    assert allowed, f"{operation.label} has no POLICY entry: everyone is refused and nothing documents it"
    service, document = operation.service, documents[operation.service]
    failures: list[str] = []
    cases = 0

    # No token: 401 with a challenge, and the refusal audited as anonymous.
    cases += 1
    request = await build_request(world, operation, document, own_school)
    outcome = await send(world, operation, request, {}, "no token")
    if outcome.response.status_code != 401 or not outcome.response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
        outcome.fail("expected 401 with WWW-Authenticate: Bearer")
    check_refusal_audited(outcome, expected_actor(service, None, None))
    failures += outcome.failures

    # The other party's tokens, every role: 401 (this service trusts neither their issuer nor their audience).
    other = OTHER_PARTY[service]
    for role in ROLES[other]:
        cases += 1
        request = await build_request(world, operation, document, own_school)
        outcome = await send(world, operation, request, world.headers(other, role, own_school), f"{other} {role} token")
        if outcome.response.status_code != 401:
            outcome.fail("expected 401 for the other party's token")
        check_refusal_audited(outcome, expected_actor(service, None, None))
        failures += outcome.failures

    # This party's roles on its own tenant's records and on a foreign tenant's.
    own_answer: dict[str, tuple[int, Any]] = {}
    for role in ROLES[service]:
        for caller in (own_school, foreign_school):
            cases += 1
            fresh = operation.method == "delete" and role in allowed and caller is own_school
            request = await build_request(world, operation, document, own_school, role, fresh=fresh)
            name = f"{role} of the {'own' if caller is own_school else 'foreign'} tenant"
            outcome = await send(world, operation, request, world.headers(service, role, caller), name)
            status = outcome.response.status_code
            actor = expected_actor(service, role, caller)
            if status >= 500:
                outcome.fail("server error")
            elif role not in allowed:
                if status != 403:
                    outcome.fail("expected 403: role not in POLICY")
                check_refusal_audited(outcome, actor)
            elif caller is own_school:
                own_answer[role] = (status, _problem_type(outcome.response))
                if status == 404 and (service, role) in ROW_SCOPED:
                    check_refusal_audited(outcome, actor)
                elif status in (401, 403, 404):
                    outcome.fail("expected neither 401, 403 nor 404 for an allowed role on its own tenant")
                elif status < 300:
                    check_success_audited(outcome, actor, _path_ids(operation, request))
                else:
                    check_refusal_audited(outcome, actor)
            elif operation.names_a_record:
                # 404; or the very refusal the own tenant got for the same body (a check of the body alone,
                # made before the record is looked up, tells nothing about whose record it is).
                same_as_own = status == 422 and own_answer.get(role) == (status, _problem_type(outcome.response))
                if status != 404 and not same_as_own:
                    outcome.fail("expected 404 for a record of another tenant")
                check_refusal_audited(outcome, actor)
            else:
                # A collection or a filter: the caller sees its own tenant's rows only.
                own_ids = world.all_seeded_ids(service, own_school)
                if status in (401, 403, 404):
                    outcome.fail("expected an answer for an allowed role on its own tenant's collection")
                elif status < 300:
                    found = leaked(outcome.response.json() if outcome.response.content else None, service, own_school, own_ids)
                    if found:
                        outcome.fail(f"foreign rows in the answer: {found}")
                    check_success_audited(outcome, actor, [])
            failures += outcome.failures

    TALLY["matrix"][f"{service}:{operation.operation_id}"] = cases
    assert not failures, f"{operation.label}:\n  " + "\n  ".join(failures)


def _problem_type(response: Any) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("type") if isinstance(body, dict) else None


def _path_ids(operation: Operation, request: dict[str, Any]) -> list[str]:
    template = operation.path.strip("/").split("/")
    actual = request["url"].strip("/").split("/")
    return [value for part, value in zip(template, actual) if part.startswith("{")]


@pytest.mark.parametrize(
    "operation",
    [op for op in PROTECTED if op.service == POLICE and op.names_a_record and "school_client" in {str(r) for r in POLICIES[POLICE].get(op.operation_id, ())}],
    ids=lambda op: op.label,
)
async def test_a_school_client_never_reaches_another_schools_record_in_its_own_force(
    operation: Operation, world: World, documents: dict, own_school: Tenant, sibling_school: Tenant
) -> None:
    request = await build_request(world, operation, documents[POLICE], own_school)
    outcome = await send(world, operation, request, world.headers(POLICE, "school_client", sibling_school), "sibling school")
    assert outcome.response.status_code == 404, outcome.response.text
    check_refusal_audited(outcome, expected_actor(POLICE, "school_client", sibling_school))
    assert not outcome.failures, outcome.failures


@pytest.mark.parametrize("operation", PROTECTED, ids=lambda op: op.label)
def test_every_refusal_an_operation_can_give_is_declared_in_its_openapi(operation: Operation) -> None:
    expected = {"400", "401", "403", "413", "415", "422", "500"} | ({"404"} if operation.names_a_record else set())
    missing = sorted(expected - set(operation.statuses))
    assert not missing, f"{operation.label} does not declare {missing}"
    responses = DOCUMENTS[operation.service]["paths"][operation.path][operation.method]["responses"]
    for status in expected:
        assert "application/problem+json" in responses[status].get("content", {}), (operation.label, status)
