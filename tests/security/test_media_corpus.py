"""The image guard against two generated corpora, through the HTTP API of both services (S-IMAGE, issue 14).

Hostile: every real header of `media_corpus.HEADERS` under every encoding, wrapped as an attacker
would, sent into the free-text fields of both services (every such field of every JSON request
schema, found from the OpenAPI documents, in turn): every one is refused with the image-refused
problem type and nothing but the refusal's audit row is written. Legitimate: safeguarding notes
that look most like encoded data, through the free-text fields that take a new record each time:
none is refused. The counts are printed at the end of the run ("security measurements").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
import puremagic
import pytest
from sqlalchemy import func, select

from shared.media import inspect_text
from shared.tenancy import ALL_TENANTS
from tests.security import media_corpus as corpus
from tests.security.conftest import TALLY
from tests.security.support import POLICIES, SERVICES, Operation, Tenant, World, build_request, operations, resolve

IMAGE_REFUSED = "/problems/image-refused"
CONTROL_NOTE = "An ordinary note: the DSL spoke to the pupil at 10:40 and recorded what was said."


@dataclass(frozen=True)
class TextField:
    operation: Operation
    name: str
    max_length: int

    @property
    def label(self) -> str:
        return f"{self.operation.label}.{self.name}"


def _is_free_text(schema: dict[str, Any]) -> int | None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and not ({"format", "enum", "pattern", "const"} & set(option)):
            return int(option.get("maxLength", 1_000_000))
    return None


def free_text_fields(service: str, document: dict[str, Any]) -> list[TextField]:
    fields = []
    for operation in operations(service, document):
        if operation.body_schema is None or operation.body_media_type != "application/json" or operation.is_public:
            continue
        schema = resolve(operation.body_schema, document)
        for name, property_schema in schema.get("properties", {}).items():
            max_length = _is_free_text(resolve(property_schema, document))
            if max_length is not None:
                fields.append(TextField(operation, name, max_length))
    return fields


async def _valid_request(world: World, documents: dict, tenant: Tenant, field: TextField) -> dict[str, Any]:
    """A valid call to the field's operation by a role its policy allows (seeding what it names, if not yet)."""
    operation = field.operation
    role = sorted(str(r) for r in POLICIES[operation.service][operation.operation_id])[0]
    request = await build_request(world, operation, documents[operation.service], tenant, role)
    request["headers"] = {**request["headers"], **world.headers(operation.service, role, tenant)}
    return request


async def _send(world: World, request: dict[str, Any], field: TextField, text: str) -> Any:
    call = {**request, "json": {**(request.get("json") or {}), field.name: text}}
    return await world.client(field.operation.service).request(**call)


async def _rows_outside_the_audit(world: World, service: str) -> dict[str, int]:
    runtime = world.app(service).state.runtime
    audit_table = runtime.audit_model.__table__
    counts = {}
    async with runtime.session(ALL_TENANTS) as session:
        for table in runtime.audit_model.metadata.sorted_tables:
            if table is not audit_table:
                counts[table.name] = await session.scalar(select(func.count()).select_from(table))
    return counts


@pytest.mark.backend_independent
def test_the_corpus_headers_are_what_signature_libraries_call_them() -> None:
    """An independent oracle: the headers the corpus builds are images and videos to `filetype` or `puremagic`."""
    for name, (build, extensions) in corpus.HEADERS.items():
        data = build()
        by_filetype = {filetype.guess_extension(data)}
        by_puremagic = {match.extension.lstrip(".") for match in puremagic.magic_string(data)}
        assert (by_filetype | by_puremagic) & extensions, f"{name}: {by_filetype} {sorted(by_puremagic)[:8]}"


@pytest.mark.backend_independent
def test_every_header_under_every_encoding_and_every_wrapper_is_refused() -> None:
    payloads = corpus.full_hostile_product()
    missed = [payload.label for payload in payloads if inspect_text(payload.text).media is None]
    TALLY["media"]["hostile, every combination (detector)"] = len(payloads)
    TALLY["media"]["hostile, every combination (detector), missed"] = len(missed)
    assert not missed, f"{len(missed)} of {len(payloads)} not refused: {missed[:20]}"


async def test_no_hostile_payload_is_stored_through_any_free_text_field_of_either_service(
    world: World, documents: dict, own_school: Tenant
) -> None:
    payloads = corpus.hostile_corpus()
    assert len(payloads) >= 500
    stored: list[str] = []
    for turn, service in enumerate(SERVICES):
        fields = free_text_fields(service, documents[service])
        assert len(fields) >= 10, f"{service}: only {len(fields)} free-text fields found"
        requests = [await _valid_request(world, documents, own_school, field) for field in fields]
        before = await _rows_outside_the_audit(world, service)
        # Each payload goes to one service, in turn (every refusal writes an audit row); both services
        # run the same guard, and the detector alone meets every combination in the test above.
        # The turn shifts with each header, so that every encoding and every header meets both services.
        mine = [p for i, p in enumerate(payloads) if (i + i // len(corpus.ENCODINGS)) % len(SERVICES) == turn]
        for index, payload in enumerate(mine):
            field, request = fields[index % len(fields)], requests[index % len(fields)]
            response = await _send(world, request, field, payload.text)
            if response.status_code != 422 or response.json().get("type") != IMAGE_REFUSED:
                stored.append(f"{payload.label} via {field.label}: {response.status_code}")
            elif payload.text[:40] in response.text:
                stored.append(f"{payload.label} via {field.label}: the refusal echoes the payload")
        TALLY["media"][f"hostile through HTTP, {service} ({len(fields)} fields)"] = len(mine)
        assert await _rows_outside_the_audit(world, service) == before, f"{service}: a refused request wrote a record"
    TALLY["media"]["hostile through HTTP, not refused"] = len(stored)
    assert not stored, f"{len(stored)} of {len(payloads)} not refused:\n  " + "\n  ".join(stored[:30])


async def _repeatable_fields(world: World, documents: dict, tenant: Tenant, service: str) -> list[TextField]:
    """Free-text fields of operations that take a new record on every call, each proved with a control note twice."""
    usable = []
    for field in free_text_fields(service, documents[service]):
        if field.max_length < 2000 or field.operation.method != "post":
            continue
        answers = [await _send(world, await _valid_request(world, documents, tenant, field), field, CONTROL_NOTE) for _ in range(2)]
        if all(answer.status_code in (200, 201, 202) for answer in answers):
            usable.append(field)
    return usable


async def test_no_legitimate_note_is_refused_through_the_same_fields_of_either_service(
    world: World, documents: dict, own_school: Tenant
) -> None:
    notes = corpus.legitimate_corpus()
    assert len(notes) >= 300
    refused: list[str] = []
    for turn, service in enumerate(SERVICES):
        fields = await _repeatable_fields(world, documents, own_school, service)
        assert len(fields) >= 2, f"{service}: no free-text field takes a new record on every call"
        # Each note goes to one service, in turn: every write is a record and an audit row.
        mine = notes[turn :: len(SERVICES)]
        for index, note in enumerate(mine):
            fitting = [field for field in fields if field.max_length >= len(note.text)]
            field = fitting[index % len(fitting)]
            # A fresh request each time: an Idempotency-Key must not repeat.
            response = await _send(world, await _valid_request(world, documents, own_school, field), field, note.text)
            if response.status_code not in (200, 201, 202):
                refused.append(f"{note.label} via {field.label}: {response.status_code} {response.text[:200]}")
        TALLY["media"][f"legitimate through HTTP, {service} ({len(fields)} fields)"] = len(mine)
    TALLY["media"]["legitimate through HTTP, refused"] = len(refused)
    assert not refused, f"{len(refused)} of {len(notes)} refused:\n  " + "\n  ".join(refused[:30])


@pytest.mark.parametrize("service", SERVICES)
def test_the_free_text_fields_include_the_narratives_and_reasons(service: str, documents: dict) -> None:
    names = {field.name for field in free_text_fields(service, documents[service])}
    expected = {"narrative", "reasons", "text", "justification"} if service == "school_api" else {"referral_reasons", "reason", "text", "note"}
    assert expected <= names, sorted(names)
