"""Property-level authorisation (OWASP API3), generic over the OpenAPI documents and POLICY tables:
clients that may see summaries only never receive narrative or personal fields, and no request
schema accepts a field the server owns."""
from __future__ import annotations

from typing import Any

import pytest

from tests.security.matrix import send
from tests.security.support import (
    POLICE,
    POLICIES,
    SCHOOL,
    SERVICES,
    Operation,
    Tenant,
    World,
    build_request,
    minimal_instance,
    openapi_documents,
    operations,
    resolve,
)

DOCUMENTS = openapi_documents()
OPERATIONS = [op for service in SERVICES for op in operations(service, DOCUMENTS[service])]

# Fields that only the server sets: lifecycle status, tenant, author, timestamps, version, id.
SERVER_OWNED = (
    "id", "status", "school_urn", "force_code", "tenant", "created_by", "created_by_role", "created_at",
    "updated_at", "version", "recorded_by", "decided_by", "decided_at", "received_at",
)
# Roles that see summaries only, and what they must never be handed.
SUMMARY_ONLY = {(SCHOOL, "mis"), (POLICE, "school_client")}
NEVER_TO_SUMMARY_CLIENTS = {
    "narrative", "text", "notes", "officer_notes", "note", "reasons", "rationale", "justification", "details",
    "given_name", "family_name", "date_of_birth", "where_image_ended_up", "distress_judgement", "content",
}


def _request_schemas(operation: Operation) -> list[dict[str, Any]]:
    if operation.body_schema is None or operation.body_media_type != "application/json":
        return []
    schema = resolve(operation.body_schema, DOCUMENTS[operation.service])
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [resolve(option, DOCUMENTS[operation.service]) for option in options if resolve(option, DOCUMENTS[operation.service]).get("type") == "object"]


JSON_BODY_OPERATIONS = [op for op in OPERATIONS if _request_schemas(op)]


@pytest.mark.backend_independent
@pytest.mark.parametrize("operation", JSON_BODY_OPERATIONS, ids=lambda op: op.label)
def test_request_schemas_forbid_unknown_fields_and_name_no_server_owned_field(operation: Operation) -> None:
    for schema in _request_schemas(operation):
        assert schema.get("additionalProperties") is False, f"{schema.get('title')}: extra fields are not forbidden"
        owned = sorted(set(schema.get("properties", {})) & set(SERVER_OWNED))
        assert not owned, f"{schema.get('title')} accepts server-owned fields {owned}"


@pytest.mark.parametrize(
    "operation", [op for op in JSON_BODY_OPERATIONS if not op.is_public], ids=lambda op: op.label
)
async def test_setting_a_server_owned_field_is_refused_with_422(
    operation: Operation, world: World, documents: dict, own_school: Tenant
) -> None:
    allowed = [str(role) for role in POLICIES[operation.service][operation.operation_id]]
    role = allowed[0]
    failures = []
    for field in SERVER_OWNED:
        request = await build_request(world, operation, documents[operation.service], own_school, role)
        if not isinstance(request.get("json"), dict):
            pytest.skip("the body is not an object")
        request["json"] = {**request["json"], field: "2026-01-01T00:00:00Z" if field.endswith("_at") else "x"}
        outcome = await send(world, operation, request, world.headers(operation.service, role, own_school), field)
        body = outcome.response.json() if outcome.response.content else {}
        locations = [error.get("loc", []) for error in body.get("errors", [])]
        if outcome.response.status_code != 422 or not any(field in loc for loc in locations):
            failures.append(f"{field}: {outcome.response.status_code} {outcome.response.text[:200]}")
    assert not failures, f"{operation.label} accepted server-owned fields:\n  " + "\n  ".join(failures)


SUMMARY_CASES = [
    (op, role)
    for op in OPERATIONS
    if not op.is_public
    for (service, role) in SUMMARY_ONLY
    if service == op.service and role in {str(r) for r in POLICIES[service].get(op.operation_id, ())}
]


@pytest.mark.parametrize("operation, role", SUMMARY_CASES, ids=lambda value: value.label if isinstance(value, Operation) else value)
async def test_summary_clients_never_receive_narratives_notes_or_personal_details(
    operation: Operation, role: str, world: World, documents: dict, own_school: Tenant
) -> None:
    request = await build_request(world, operation, documents[operation.service], own_school, role)
    outcome = await send(world, operation, request, world.headers(operation.service, role, own_school), role)
    assert outcome.response.status_code < 500, outcome.response.text
    if outcome.response.status_code >= 300 or not outcome.response.content:
        return
    found: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in NEVER_TO_SUMMARY_CLIENTS:
                    found.append(f"{path}.{key}")
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(outcome.response.json(), "$")
    assert not found, f"{role} was handed {found} by {operation.label}"


async def test_the_narrative_of_a_school_incident_reaches_the_dsl_but_never_the_mis_client(world: World, own_school: Tenant) -> None:
    incident_id = (await world.records(SCHOOL, own_school))["incident_id"]
    dsl = await world.school.get(f"/incidents/{incident_id}", headers=world.headers(SCHOOL, "dsl", own_school))
    mis = await world.school.get(f"/incidents/{incident_id}", headers=world.headers(SCHOOL, "mis", own_school))
    assert dsl.json()["narrative"] == "Seeded by the security tests."
    assert mis.status_code == 200 and "narrative" not in mis.json()
    assert "Seeded by the security tests." not in mis.text


@pytest.mark.backend_independent
def test_minimal_instance_builds_required_fields_only() -> None:
    schema = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "format": "uuid"}, "b": {"type": "string"}}}
    assert set(minimal_instance(schema, {})) == {"a"}
