"""Schemathesis against both apps in-process (issue 6, hostile input; OWASP API4/API8).

Every operation of each OpenAPI document gets generated requests, valid and invalid, with a valid
token of a role its POLICY allows, a fixed seed and a bounded number of examples per operation:
no 5xx, every status and content type documented, every response body conforming to its schema.
Half of the cases that name a record by path are pointed at a real record of the fuzzing tenant
so that handlers run past "not found".

The apps under test are second instances on the session's databases: Schemathesis runs ASGI apps
in its own event-loop thread, and each instance keeps its database connections on its own loop.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.police_api.app import create_app as create_police_app
from services.school_api.app import create_app as create_school_app
from tests.conftest import police_settings, school_settings
from tests.security.conftest import TALLY
from tests.security.support import FUZZ_TENANT, POLICE, POLICIES, ROLES, SCHOOL, World, openapi_documents

# Examples per operation and generation mode (valid and invalid data); the coverage phase (boundary
# values of every parameter) is left out to keep this part near a minute per backend as endpoints grow.
EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "10"))
SEED = 20261127
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


def _role_for(service: str, operation_id: str) -> str | None:
    allowed = {str(role) for role in POLICIES[service].get(operation_id, ())}
    return next((role for role in ROLES[service] if role in allowed), None)


class Fuzzing:
    """One app under fuzz: its schema, a token per role, and the fuzzing tenant's record ids."""

    def __init__(self, service: str, app: Any, world: World, ids: dict[str, str]) -> None:
        self.service, self.app, self.world, self.ids = service, app, world, ids
        self.counter = 0

    def headers_for(self, operation_id: str) -> dict[str, str]:
        role = _role_for(self.service, operation_id)
        return {} if role is None else self.world.headers(self.service, role, FUZZ_TENANT)


async def _fuzzing(service: str, app: Any, world: World) -> Fuzzing:
    return Fuzzing(service, app, world, await world.records(service, FUZZ_TENANT))


@pytest.fixture(scope="module")
async def school_fuzzing(world: World, keys: Any, school_db: Any, workdir: Any, clock: Any) -> Any:
    app = create_school_app(school_settings(keys, school_db.url, workdir), clock=clock)
    yield await _fuzzing(SCHOOL, app, world)


@pytest.fixture(scope="module")
async def police_fuzzing(world: World, keys: Any, police_db: Any, clock: Any) -> Any:
    app = create_police_app(police_settings(keys, police_db.url), clock=clock)
    yield await _fuzzing(POLICE, app, world)


@pytest.fixture(scope="module", autouse=True)
def _stop_fuzzed_apps() -> Iterator[None]:
    yield
    shutdown_lifespans()


def _run(case: Any, fuzzing: Fuzzing) -> None:
    fuzzing.counter += 1
    if case.path_parameters and fuzzing.counter % 2 == 0:
        for name in list(case.path_parameters):
            if name in fuzzing.ids:
                case.path_parameters[name] = fuzzing.ids[name]
    TALLY["fuzz"][fuzzing.service] += 1
    headers = fuzzing.headers_for(case.operation.definition.raw.get("operationId", ""))
    case.call_and_validate(app=fuzzing.app, base_url="http://testserver", headers=headers, checks=CHECKS)


DOCUMENTS = openapi_documents()
school = schemathesis.openapi.from_dict(DOCUMENTS[SCHOOL], config=CONFIG)
police = schemathesis.openapi.from_dict(DOCUMENTS[POLICE], config=CONFIG)


@school.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_school_api_answers_generated_requests_as_documented_and_never_with_a_server_error(
    case: Any, school_fuzzing: Fuzzing
) -> None:
    _run(case, school_fuzzing)


@police.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_police_api_answers_generated_requests_as_documented_and_never_with_a_server_error(
    case: Any, police_fuzzing: Fuzzing
) -> None:
    _run(case, police_fuzzing)
