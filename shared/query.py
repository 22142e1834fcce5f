"""Strict query strings: what pydantic's lax parsing of query parameters would guess at is refused.

Pydantic reads a query string leniently: `0.5` is a datetime (half a second after 1970), `1.0` an
integer, `yes` a boolean, and a parameter the operation does not have is silently dropped, so a typo
in a filter (`?disclosed_form=…`) returned every record as if unfiltered. Every operation of both
services therefore checks, before anything else runs, that:

- every parameter sent is one the operation declares (the answer lists those it takes);
- a parameter that takes one value is sent once;
- an integer is written in digits, a boolean as `true` or `false`, a date as `YYYY-MM-DD`, a date-time
  in RFC 3339 form, a UUID in its hyphenated form.

Each refusal is 400 malformed-request naming the parameter, never echoing the value. A value of the
right form but outside what the operation accepts (a page size over the limit, an unknown status) is
still pydantic's 422 validation-failed. The form of each parameter comes from its JSON schema, so a
parameter added tomorrow is covered without anyone remembering to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter

from shared.problems import MalformedRequest

_FORMS = {
    "integer": (re.compile(r"^[+-]?[0-9]{1,18}$"), "an integer written in digits"),
    "boolean": (re.compile(r"^(true|false)$"), "true or false"),
    "date": (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "a date, YYYY-MM-DD"),
    "date-time": (
        re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"),
        "a date-time in RFC 3339 form, e.g. 2026-11-27T09:00:00Z",
    ),
    "uuid": (re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"), "a UUID"),
}


@dataclass(frozen=True)
class _Parameter:
    form: str | None
    repeatable: bool


_SPECS: dict[int, dict[str, _Parameter]] = {}


def _form_of(schema: dict[str, Any]) -> tuple[str | None, bool]:
    """The form a value must take, and whether the parameter takes several values."""
    branches = [branch for branch in schema.get("anyOf", [schema]) if branch.get("type") != "null"]
    if len(branches) != 1:
        return None, False
    branch = branches[0]
    if branch.get("type") == "array":
        return _form_of(branch.get("items", {}))[0], True
    if branch.get("type") in ("integer", "boolean"):
        return branch["type"], False
    if branch.get("type") == "string" and branch.get("format") in ("date", "date-time", "uuid"):
        return branch["format"], False
    return None, False


def _parameters(dependant: Any) -> dict[str, _Parameter]:
    found: dict[str, _Parameter] = {}
    for field in dependant.query_params:
        form, repeatable = _form_of(TypeAdapter(field.field_info.annotation).json_schema())
        found[field.alias] = _Parameter(form, repeatable)
    for sub in dependant.dependencies:
        found.update(_parameters(sub))
    return found


def _spec(route: Any) -> dict[str, _Parameter]:
    spec = _SPECS.get(id(route))
    if spec is None:
        spec = _SPECS[id(route)] = _parameters(route.dependant)
    return spec


async def refuse_malformed_query(request: Request) -> None:
    """An app-wide dependency: refuse what the query string's parameters cannot strictly mean."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    spec = _spec(route)
    errors = []
    for name in dict.fromkeys(request.query_params.keys()):
        parameter = spec.get(name)
        if parameter is None:
            takes = ", ".join(sorted(spec)) or "none"
            errors.append({"loc": ["query"], "msg": f"unknown query parameter; this operation takes: {takes}", "type": "unknown_parameter"})
            continue
        values = request.query_params.getlist(name)
        if len(values) > 1 and not parameter.repeatable:
            errors.append({"loc": ["query", name], "msg": "sent more than once", "type": "repeated_parameter"})
            continue
        if parameter.form is not None:
            pattern, description = _FORMS[parameter.form]
            if not all(pattern.fullmatch(value) for value in values):
                errors.append({"loc": ["query", name], "msg": f"must be {description}", "type": f"{parameter.form}_form"})
    if errors:
        raise MalformedRequest("The query string has parameters that cannot be read.", errors=errors)
