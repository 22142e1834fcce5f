"""Find operations in a running service's OpenAPI document and fit request bodies to its schemas.

The services change while the benchmark lives on, so it does not hard-code what it can discover:
an operation that is missing is reported as 'not available', and a body the bench prefers is
completed with any newly required field (and stripped of any field the schema no longer has).
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

NOW = datetime.now(UTC).replace(microsecond=0)

# Values used for a field of this name when the schema gives no better hint (never a real person's data).
NAME_HINTS: dict[str, Any] = {
    "reasons": "Benchmark record: reasons recorded for the decision.",
    "reason": "Benchmark record: reason recorded.",
    "rationale": "Benchmark record: rationale recorded.",
    "summary": "Benchmark record.",
}


class Operation:
    def __init__(self, document: dict[str, Any], path: str, method: str, spec: dict[str, Any]) -> None:
        self.document, self.path, self.method, self.spec = document, path, method.upper(), spec
        self.operation_id = spec.get("operationId", "")

    def __repr__(self) -> str:
        return f"{self.method} {self.path} ({self.operation_id})"

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        for media in ("application/json", "application/x-www-form-urlencoded"):
            if media in content:
                return content[media].get("schema")
        return None

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == where]

    def url(self, **path_values: Any) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(path_values[m.group(1)]), self.path)


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, methods in document.get("paths", {}).items():
        for method, spec in methods.items():
            if method.lower() in ("get", "post", "put", "patch", "delete"):
                found.append(Operation(document, path, method, spec))
    return found


def find(document: dict[str, Any], method: str, *words: str, path_prefix: str | None = None) -> Operation | None:
    """The first operation of `method` whose path or operation id contains every word (case-insensitive)."""
    for operation in operations(document):
        haystack = f"{operation.path} {operation.operation_id}".lower()
        if operation.method != method.upper():
            continue
        if path_prefix is not None and not operation.path.startswith(path_prefix):
            continue
        if all(word.lower() in haystack for word in words):
            return operation
    return None


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def example(document: dict[str, Any], schema: dict[str, Any], name: str = "") -> Any:
    """A minimal value the schema accepts: required fields only, first enum value, shortest string."""
    schema = resolve(document, schema)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [option for option in schema[key] if resolve(document, option).get("type") != "null"]
            return example(document, options[0], name) if options else None
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(resolve(document, part))
        return example(document, merged, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: example(document, properties[key], key) for key in schema.get("required", []) if key in properties}
    if kind == "array":
        return [example(document, schema.get("items", {}), name) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 0)), int(schema.get("exclusiveMinimum", -1)) + 1)
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return NOW.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return "2012-01-01"
        if fmt == "uuid":
            return str(uuid.uuid4())
        if name in NAME_HINTS:
            return NAME_HINTS[name]
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def fit(document: dict[str, Any], schema: dict[str, Any] | None, preferred: dict[str, Any]) -> dict[str, Any]:
    """`preferred`, minus fields the schema does not know, plus required fields it lacks (recursively)."""
    if schema is None:
        return preferred
    schema = resolve(document, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            objects = [resolve(document, o) for o in schema[key] if resolve(document, o).get("type") == "object"]
            if objects:
                schema = objects[0]
    properties = schema.get("properties")
    if properties is None:
        return preferred
    fitted: dict[str, Any] = {}
    for key, value in preferred.items():
        if key not in properties:
            continue
        sub = resolve(document, properties[key])
        if isinstance(value, dict):
            fitted[key] = fit(document, sub, value)
        elif isinstance(value, list) and value and isinstance(value[0], dict) and "items" in sub:
            fitted[key] = [fit(document, sub["items"], item) for item in value]
        else:
            fitted[key] = value
    for key in schema.get("required", []):
        if key not in fitted and key in properties:
            fitted[key] = example(document, properties[key], key)
    return fitted
