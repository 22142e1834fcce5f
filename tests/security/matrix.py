"""Sending one access-matrix case and checking what it must answer and what it must leave in the audit trail."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from shared.tenancy import ALL_TENANTS
from tests.security.support import POLICE, SCHOOL, Operation, Tenant, World


@dataclass
class Outcome:
    case: str
    response: httpx.Response
    audit_rows: list[Any]
    failures: list[str] = field(default_factory=list)

    def fail(self, why: str) -> None:
        detail = self.response.text[:300]
        self.failures.append(f"{self.case}: {why} (got {self.response.status_code} {detail})")


async def send(world: World, operation: Operation, request: dict[str, Any], auth: dict[str, str], case: str) -> Outcome:
    request_id = uuid.uuid4().hex
    call = dict(request)
    call["headers"] = {**request["headers"], **auth, "X-Request-ID": request_id}
    response = await world.client(operation.service).request(**call)
    return Outcome(case, response, await audit_rows(world, operation.service, request_id))


async def audit_rows(world: World, service: str, request_id: str) -> list[Any]:
    runtime = world.app(service).state.runtime
    async with runtime.session(ALL_TENANTS) as session:
        query = select(runtime.audit_model).where(runtime.audit_model.request_id == request_id).order_by(runtime.audit_model.seq)
        return list((await session.scalars(query)).all())


def expected_actor(service: str, role: str | None, tenant: Tenant | None) -> tuple[str, str, str]:
    """(subject, role, tenant) that the audit row must name for a token minted by `World.token`."""
    if role is None or tenant is None:
        return ("anonymous", "anonymous", "")
    if service == SCHOOL:
        return (f"{role}-{tenant.school_urn}", role, tenant.school_urn)
    assert tenant.force_code is not None
    if role == "school_client":
        return (f"client-{tenant.school_urn}", role, tenant.force_code)
    return (f"{role}-{tenant.force_code}", role, tenant.force_code)


def check_refusal_audited(outcome: Outcome, subject_role_tenant: tuple[str, str, str]) -> None:
    problem_type = _problem_type(outcome.response)
    refused = [row for row in outcome.audit_rows if row.outcome == "refused"]
    if not refused:
        outcome.fail("the refusal left no audit row")
        return
    row = refused[-1]
    if row.problem_type != problem_type:
        outcome.fail(f"audited problem type {row.problem_type!r} differs from the answer's {problem_type!r}")
    if (row.subject, row.role, row.tenant) != subject_role_tenant:
        outcome.fail(f"refusal audited as {(row.subject, row.role, row.tenant)}, expected {subject_role_tenant}")
    if not row.operation:
        outcome.fail("refusal audited without an operation")


def check_success_audited(outcome: Outcome, subject_role_tenant: tuple[str, str, str], path_ids: list[str]) -> None:
    allowed = [row for row in outcome.audit_rows if row.outcome == "allowed"]
    handed_out = returned_ids(_json(outcome.response))
    if not allowed and not path_ids and not handed_out:
        return  # an empty list or a filter that matched nothing read no record
    if not allowed:
        outcome.fail("a successful call left no audit row (every read and write is audited)")
        return
    for row in allowed:
        if (row.subject, row.role, row.tenant) != subject_role_tenant:
            outcome.fail(f"audited as {(row.subject, row.role, row.tenant)}, expected {subject_role_tenant}")
        if not row.operation or not row.record_type:
            outcome.fail(f"audit row {row.seq} lacks operation or record type")
    # A record is audited by a row of its own, or named in the `record_ids` of a list page's one row.
    audited_ids = {row.record_id for row in allowed} | {record_id for row in allowed for record_id in row.record_ids or ()}
    if path_ids and not audited_ids & set(path_ids):
        outcome.fail(f"none of the records named in the path {path_ids} was audited (audited: {sorted(map(str, audited_ids))})")
    missing = [record_id for record_id in handed_out if record_id not in audited_ids]
    if missing:
        outcome.fail(f"records returned but not audited: {missing}")


def returned_ids(body: Any) -> list[str]:
    """Ids of the records a response hands out: the record itself, each item of a list or page, and every
    record nested in them (a device's custody steps, a person's links), each a record read in its own right."""
    return list(dict.fromkeys(str(node["id"]) for node in _objects(body) if "id" in node))


def leaked(body: Any, service: str, owner: Tenant, owner_ids: set[str]) -> list[str]:
    """Rows of `owner` found in a response to someone else: their ids, or their tenant in a tenant field."""
    found: list[str] = []
    for node in _objects(body):
        if str(node.get("id")) in owner_ids:
            found.append(f"record {node['id']}")
        if service == SCHOOL and node.get("school_urn") == owner.school_urn:
            found.append(f"a row of school {owner.school_urn}")
        if service == POLICE and node.get("force_code") == owner.force_code:
            found.append(f"a row of force {owner.force_code}")
    return found


def _objects(body: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a response body, at any depth, outermost first."""
    if isinstance(body, dict):
        yield body
        for value in body.values():
            yield from _objects(value)
    elif isinstance(body, list):
        for value in body:
            yield from _objects(value)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _problem_type(response: httpx.Response) -> str | None:
    body = _json(response)
    return body.get("type") if isinstance(body, dict) else None
