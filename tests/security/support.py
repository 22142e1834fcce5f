"""What the security tests derive from the running code: operations from each app's OpenAPI,
roles and policies from each service's `access.py`, tokens per party, role and tenant, minimal
valid request bodies synthesised from the request schemas, and seeded records per path parameter.

Everything here is generic over the OpenAPI documents and the POLICY tables, so that a new
endpoint is covered the moment it is added. What cannot be derived (how to create a record that a
new path parameter names) is an entry in `RECORDS` / `SEEDED_PARAMS`; an operation whose parameter has no entry
makes the access matrix fail naming it.
"""
from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from services.police_api.access import POLICY as POLICE_POLICY
from services.police_api.access import PoliceRole
from services.school_api.access import POLICY as SCHOOL_POLICY
from services.school_api.access import SchoolRole
from scripts.access_policy_doc import PUBLIC
from tests.support import Tokens, fresh_urn

SCHOOL = "school_api"
POLICE = "police_api"
SERVICES = (SCHOOL, POLICE)

POLICIES: dict[str, dict[str, frozenset[Any]]] = {SCHOOL: SCHOOL_POLICY, POLICE: POLICE_POLICY}
ROLES: dict[str, tuple[str, ...]] = {
    SCHOOL: tuple(role.value for role in SchoolRole),
    POLICE: tuple(role.value for role in PoliceRole),
}
OTHER_PARTY = {SCHOOL: POLICE, POLICE: SCHOOL}

# Operations that answer without a token, by design (listed once, in the doc generator).
PUBLIC_OPERATIONS: dict[str, dict[str, str]] = PUBLIC

# Forces used only by the security tests, so that their lists are not crowded by other tests' rows.
OWN_FORCE = "53"
FOREIGN_FORCE = "54"
FUZZ_FORCE = "55"

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path, query, header
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    operation_id: str
    params: tuple[Param, ...]
    body_schema: dict[str, Any] | None
    body_required: bool
    body_media_type: str | None
    statuses: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.service}:{self.method.upper()} {self.path} ({self.operation_id})"

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "path")

    @property
    def is_public(self) -> bool:
        return self.operation_id in PUBLIC_OPERATIONS[self.service]

    @property
    def names_a_record(self) -> bool:
        """A path parameter names a tenant-owned record: a foreign id must answer 404."""
        return bool(self.path_params)


def operations(service: str, document: dict[str, Any]) -> list[Operation]:
    found: list[Operation] = []
    for path, item in sorted(document.get("paths", {}).items()):
        shared_params = item.get("parameters", [])
        for method in HTTP_METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            params = tuple(
                Param(p["name"], p["in"], bool(p.get("required")), p.get("schema", {}))
                for p in shared_params + spec.get("parameters", [])
            )
            body = spec.get("requestBody")
            media = schema = None
            if body:
                media, content = next(iter(body.get("content", {}).items()))
                schema = content.get("schema")
            found.append(
                Operation(
                    service=service,
                    method=method,
                    path=path,
                    operation_id=spec["operationId"],
                    params=params,
                    body_schema=schema,
                    body_required=bool(body and body.get("required")),
                    body_media_type=media,
                    statuses=tuple(sorted(spec.get("responses", {}))),
                )
            )
    return found


def openapi_documents() -> dict[str, dict[str, Any]]:
    from tests.support import app_documents

    return app_documents()


# ---------------------------------------------------------------------------------------------
# Minimal valid bodies, synthesised from the request schema (required fields only).


class CannotSynthesise(Exception):
    pass


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def minimal_instance(schema: dict[str, Any], document: dict[str, Any], depth: int = 0, refs: dict[str, str] | None = None) -> Any:
    """The smallest instance of `schema`: required fields only. A field named like a seeded record
    (`device_id`, `…_person_id`) gets that record's id from `refs`, so that references resolve."""
    refs = refs or {}
    if depth > 20:
        raise CannotSynthesise("schema nests too deeply")
    schema = resolve(schema, document)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if resolve(o, document).get("type") != "null"]
            if not options:
                return None
            return minimal_instance(options[0], document, depth + 1, refs)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(resolve(part, document))
        return minimal_instance(merged, document, depth + 1, refs)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        instance = {
            name: _reference(name, refs) or minimal_instance(properties.get(name, {}), document, depth + 1, refs)
            for name in schema.get("required", [])
        }
        # An optional field that names a seeded record exactly is filled too (`person_id` of a link).
        instance.update({name: refs[name] for name in properties if name in refs and name not in instance})
        return instance
    if kind == "array":
        count = schema.get("minItems", 0)
        return [minimal_instance(schema.get("items", {}), document, depth + 1, refs) for _ in range(count)]
    if kind == "string":
        return _minimal_string(schema)
    if kind == "integer":
        return int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in schema else 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise CannotSynthesise(f"no rule for schema {sorted(schema)}")


def _reference(name: str, refs: dict[str, str]) -> str | None:
    if name in refs:
        return refs[name]
    suffix = name.rsplit("_", 2)[-2:]
    return refs.get("_".join(suffix)) if len(suffix) == 2 else None


_FORMAT_VALUES = {
    "date-time": "2026-01-05T09:00:00Z",
    "date": "2012-05-17",
    "uuid": "6f1c1f0e-8a3c-4b8e-9a57-0d7f0c1f5a11",
    "email": "someone@example.org",
    "uri": "https://example.org/",
}


def _minimal_string(schema: dict[str, Any]) -> str:
    if schema.get("format") in _FORMAT_VALUES:
        return _FORMAT_VALUES[schema["format"]]
    if "pattern" in schema:
        return _string_matching(schema["pattern"], schema.get("minLength", 0))
    return "x" * max(1, schema.get("minLength", 1))


@functools.lru_cache(maxsize=None)
def _string_matching(pattern: str, min_length: int) -> str:
    from hypothesis import find
    from hypothesis import strategies as st

    compiled = re.compile(pattern)
    return find(st.from_regex(compiled, fullmatch=True), lambda text: len(text) >= min_length)


# ---------------------------------------------------------------------------------------------
# Tenants, tokens and seeded records.


@dataclass(frozen=True)
class Tenant:
    """A school (URN) or, at the police, a force with the school whose client speaks for it."""

    label: str
    school_urn: str
    force_code: str | None = None


# The tenant Schemathesis writes into: its rows hold random text, which the log scan leaves out.
FUZZ_TENANT = Tenant("fuzz", fresh_urn(), FUZZ_FORCE)


@dataclass
class World:
    """Both apps, their clients, token minting and the records seeded per tenant."""

    school: httpx.AsyncClient
    police: httpx.AsyncClient
    school_app: Any
    police_app: Any
    tokens: Tokens
    seeded: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)

    def client(self, service: str) -> httpx.AsyncClient:
        return self.school if service == SCHOOL else self.police

    def app(self, service: str) -> Any:
        return self.school_app if service == SCHOOL else self.police_app

    def token(self, service: str, role: str, tenant: Tenant) -> str:
        if service == SCHOOL:
            return self.tokens.school(role, tenant.school_urn)
        assert tenant.force_code is not None
        if role == PoliceRole.school_client:
            signer = self.police_app.state.signer
            return signer.issue(
                subject=f"client-{tenant.school_urn}",
                audience="police-api",
                now=self.tokens.clock.now(),
                lifetime=timedelta(minutes=30),
                claims={"role": role, "force_code": tenant.force_code, "school_urn": tenant.school_urn},
            )
        return self.tokens.police(role, tenant.force_code)

    def headers(self, service: str, role: str, tenant: Tenant) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(service, role, tenant)}"}

    async def records(self, service: str, tenant: Tenant, role: str | None = None, *, fresh: bool = False) -> dict[str, str]:
        """Ids of a tenant's seeded records by path-parameter name; `role` picks a record that role may see."""
        builder = ROLE_RECORDS.get((service, role or ""), RECORDS[service])
        key = (service, tenant.label, role if (service, role or "") in ROLE_RECORDS else "")
        if fresh:
            return await builder(self, tenant)
        if key not in self.seeded:
            self.seeded[key] = await builder(self, tenant)
        return self.seeded[key]

    def all_seeded_ids(self, service: str, tenant: Tenant) -> set[str]:
        return {
            value for (svc, label, _), ids in self.seeded.items() if svc == service and label == tenant.label for value in ids.values()
        }


RecordBuilder = Callable[[World, Tenant], Awaitable[dict[str, str]]]

INCIDENT_BODY = {"disclosed_at": "2026-11-02T09:00:00Z", "disclosure_source": "peer", "image_nature": "inappropriate"}
# Names and dates of birth of the security tests' records; the log scan looks for every such value in the databases.
SEEDED_PERSON = {"given_name": "Marigold", "family_name": "Featherstonehaugh", "date_of_birth": "2011-06-14"}


async def _school_records(world: World, tenant: Tenant) -> dict[str, str]:
    """A school incident carried as far as the workflow goes: a person, a device, an assessment,
    a decision to refer and its police referral; so every sub-resource exists."""
    from tests.school_api.workflow import School

    school = School(world.school, world.tokens, tenant.school_urn)
    incident = await school.open(narrative="Seeded by the security tests.")
    person = await school.add_person(incident, **SEEDED_PERSON, age_years=None)
    device = await world.school.post(
        school.path(incident, "/devices"), json={"ownership": "personal", "owner_person_id": person["id"]}, headers=school.dsl
    )
    assert device.status_code == 201, device.text
    await school.ready_to_decide(incident)
    decided = await school.decide(incident, outcome="refer_police", police_channel="101", reasons="S-POLICE")
    assert decided.status_code == 201, decided.text
    return {
        "incident_id": incident["id"],
        "person_id": person["id"],
        "device_id": device.json()["id"],
        "referral_id": decided.json()["police_referral_id"],
    }


async def _school_incident_of_staff(world: World, tenant: Tenant) -> dict[str, str]:
    """Staff reach only the incidents they opened themselves."""
    response = await world.school.post("/incidents", json=INCIDENT_BODY, headers=world.headers(SCHOOL, "staff", tenant))
    assert response.status_code == 201, response.text
    return {"incident_id": response.json()["id"]}


def report_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "school_incident_id": str(uuid.uuid4()),
        "school_incident_reference": "100001-2026-0001",
        "channel": "101",
        "disclosed_at": "2026-11-02T09:00:00Z",
        "referred_at": "2026-11-02T11:00:00Z",
        "image": {"nature": "potentially_illegal"},
        "people": [
            {
                "school_person_id": str(uuid.uuid4()),
                "kind": "pupil",
                "roles": ["pictured", "sender"],
                "sex": "female",
                **SEEDED_PERSON,
            }
        ],
    }
    body.update(changes)
    return body


async def submit_report(world: World, tenant: Tenant, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await world.police.post(
        "/reports",
        json=body or report_body(),
        headers={**world.headers(POLICE, "school_client", tenant), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _police_records(world: World, tenant: Tenant) -> dict[str, str]:
    """A report with a pupil, its incident (routed to CID, so every officer role may see it; the PPU
    sees it through its notification), the person's link, the PPU notification and a crime."""
    pupil = {
        "school_person_id": str(uuid.uuid4()), "kind": "pupil", "roles": ["pictured", "sender"], "sex": "female", **SEEDED_PERSON,
    }
    receipt = await submit_report(world, tenant, report_body(people=[pupil]))
    incident_id = receipt["police_incident_id"]
    scpo = world.headers(POLICE, "scpo", tenant)
    links = await world.police.get(f"/incidents/{incident_id}/links", headers=scpo)
    assert links.status_code == 200 and links.json()["items"], links.text
    link = links.json()["items"][0]
    notifications = await world.police.get(f"/incidents/{incident_id}/ppu-notifications", headers=world.headers(POLICE, "supervisor", tenant))
    assert notifications.status_code == 200 and notifications.json()["items"], notifications.text
    crime = await world.police.post(
        f"/incidents/{incident_id}/crimes", json={"victim_person_id": link["person_id"], "offence_code": "86/2"}, headers=scpo
    )
    assert crime.status_code == 201, crime.text
    supervisor = world.headers(POLICE, "supervisor", tenant)
    etag = (await world.police.get(f"/incidents/{incident_id}", headers=supervisor)).headers["ETag"]
    routed = await world.police.post(
        f"/incidents/{incident_id}/route-override",
        json={"route": "cid", "reason": "Seeded by the security tests so that CID may see it."},
        headers={**supervisor, "If-Match": etag},
    )
    assert routed.status_code < 300, routed.text
    return {
        "report_id": receipt["id"],
        "incident_id": incident_id,
        "person_id": link["person_id"],
        "link_id": link["id"],
        "notification_id": notifications.json()["items"][0]["id"],
        "crime_id": crime.json()["id"],
    }


# service -> how to create a tenant's records, returning their ids by path-parameter name.
# A new path parameter needs its record created here; the access matrix names the operation until it is.
RECORDS: dict[str, RecordBuilder] = {SCHOOL: _school_records, POLICE: _police_records}
# (service, role) -> records that role may see where a role sees only some of its tenant's records.
ROLE_RECORDS: dict[tuple[str, str], RecordBuilder] = {(SCHOOL, "staff"): _school_incident_of_staff}
SEEDED_PARAMS: dict[str, frozenset[str]] = {
    SCHOOL: frozenset({"incident_id", "person_id", "device_id", "referral_id"}),
    POLICE: frozenset({"report_id", "incident_id", "person_id", "link_id", "notification_id", "crime_id"}),
}
# Roles that see only some records of their own tenant, where the seeding cannot yet give them one:
# on the own tenant they may answer 404 too (never 401 or 403); foreign records still must answer 404.
ROW_SCOPED: dict[tuple[str, str], str] = {}

# Required query parameters that name a record: which seeded record they take.
QUERY_SEEDS: dict[tuple[str, str], str] = {
    (SCHOOL, "record_id"): "incident_id",
    (POLICE, "record_id"): "incident_id",
}

# Header parameters: a valid value for each (If-Match names version 1, the first version of any record).
HEADER_VALUES: dict[str, Callable[[], str]] = {
    "if-match": lambda: '"v1"',
    "idempotency-key": lambda: str(uuid.uuid4()),
}

# Bodies the synthesiser cannot build ((service, operation id) -> body); empty while the schemas allow it.
BODIES: dict[tuple[str, str], Callable[[], Any]] = {}


def unseedable(operation: Operation) -> list[str]:
    missing = [p.name for p in operation.path_params if p.name not in SEEDED_PARAMS[operation.service]]
    missing += [
        p.name
        for p in operation.params
        if p.where == "query" and p.required and (operation.service, p.name) not in QUERY_SEEDS
    ]
    missing += [p.name for p in operation.params if p.where == "header" and p.required and p.name.lower() not in HEADER_VALUES]
    return missing


def body_for(operation: Operation, document: dict[str, Any], refs: dict[str, str] | None = None) -> Any:
    if (operation.service, operation.operation_id) in BODIES:
        return BODIES[(operation.service, operation.operation_id)]()
    if operation.body_schema is None:
        return None
    return minimal_instance(operation.body_schema, document, refs=refs)


async def build_request(
    world: World, operation: Operation, document: dict[str, Any], tenant: Tenant, role: str | None = None, *, fresh: bool = False
) -> dict[str, Any]:
    """Method, URL, headers and body of a valid call to `operation` on `tenant`'s records (those `role` may see)."""
    missing = unseedable(operation)
    assert not missing, (
        f"{operation.label}: cannot build a call, no seeded record for parameter(s) {missing}; "
        "add them to RECORDS + SEEDED_PARAMS / QUERY_SEEDS / HEADER_VALUES in tests/security/support.py"
    )
    needs_ids = operation.params or operation.body_schema is not None
    own = await world.records(operation.service, tenant, role, fresh=fresh) if needs_ids else {}
    # Parameters the role's own records lack (a role refused the operation anyway) come from the tenant's.
    ids = {**(await world.records(operation.service, tenant) if needs_ids else {}), **own}
    url = operation.path
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for param in operation.params:
        if param.where == "path":
            url = url.replace("{" + param.name + "}", ids[param.name])
        elif param.where == "query" and param.required:
            query[param.name] = ids[QUERY_SEEDS[(operation.service, param.name)]]
        elif param.where == "header" and param.name.lower() in HEADER_VALUES:
            headers[param.name] = HEADER_VALUES[param.name.lower()]()
    request: dict[str, Any] = {"method": operation.method.upper(), "url": url, "params": query, "headers": headers}
    body = body_for(operation, document, own)
    if operation.body_media_type == "application/json" and (body is not None or operation.body_required):
        request["json"] = body
    elif operation.body_media_type and body is not None:
        request["data"] = body
    return request
