"""HTML forms made from the API's own request schemas, so that the console asks exactly what the API
accepts: an enum becomes radios or a select, a boolean a yes/no question, a list of an enum checkboxes,
a nested model a fieldset. Posted fields are turned back into the schema's JSON; the API then applies
every rule. Labels and hints are the service's plain-English wording (`Wording`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

LONDON = ZoneInfo("Europe/London")
LONG_TEXT = 300
ROWS_OF_A_LIST = 4


def humanise(name: str) -> str:
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass
class Wording:
    """Plain-English labels and hints, keyed by field name (dotted for nested: `immediate.adult_involved`)."""

    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    # Booleans asked as a single tick box (unticked = no), for lists of criteria the person ticks.
    ticks: frozenset[str] = frozenset()

    def label(self, name: str) -> str:
        return self.labels.get(name) or self.labels.get(name.rsplit(".", 1)[-1]) or humanise(name.rsplit(".", 1)[-1])

    def hint(self, name: str) -> str | None:
        return self.hints.get(name) or self.hints.get(name.rsplit(".", 1)[-1])

    def option(self, value: Any) -> str:
        return self.options.get(str(value)) or humanise(str(value))


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text, textarea, yesno, radios, select, checkboxes, datetime, date, number, group, rows
    required: bool = False
    hint: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: int = 0
    max_length: int | None = None
    value: Any = None
    error: str | None = None


class FormBuilder:
    """Fields of one request schema, with choices the page supplies for ids (a person, an authorisation)."""

    def __init__(self, schema: type[BaseModel], wording: Wording, choices: dict[str, list[tuple[str, str]]] | None = None,
                 omit: frozenset[str] = frozenset(), order: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.wording = wording
        self.choices = choices or {}
        self.omit = omit
        document = schema.model_json_schema()
        self.defs = document.get("$defs", {})
        fields = self._object_fields(document, "")
        rank = {name: index for index, name in enumerate(order)}
        self.fields = sorted(fields, key=lambda f: rank.get(f.name, len(rank)))

    def _resolve(self, spec: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        nullable = False
        if "anyOf" in spec:
            options = [s for s in spec["anyOf"] if s.get("type") != "null"]
            nullable = len(options) < len(spec["anyOf"])
            spec = {**options[0], **{k: v for k, v in spec.items() if k not in ("anyOf",)}}
        if "$ref" in spec:
            spec = {**self.defs[spec["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in spec.items() if k != "$ref"}}
        if "allOf" in spec and len(spec["allOf"]) == 1:
            spec = {**self._resolve(spec["allOf"][0])[0], **{k: v for k, v in spec.items() if k != "allOf"}}
        return spec, nullable

    def _object_fields(self, spec: dict[str, Any], prefix: str) -> list[Field]:
        required = set(spec.get("required", []))
        fields = []
        for name, prop in spec.get("properties", {}).items():
            dotted = f"{prefix}{name}"
            if dotted in self.omit:
                continue
            fields.append(self._field(dotted, prop, name in required))
        return fields

    def _field(self, name: str, prop: dict[str, Any], required: bool) -> Field:
        spec, nullable = self._resolve(prop)
        made = Field(name=name, label=self.wording.label(name), kind="text", required=required and not nullable,
                     hint=self.wording.hint(name))
        kind = spec.get("type")
        if name in self.choices:
            made.kind = "checkboxes" if kind == "array" else "select"
            made.options = self.choices[name]
        elif "enum" in spec:
            made.options = [(str(v), self.wording.option(v)) for v in spec["enum"]]
            made.kind = "radios" if len(made.options) <= 8 else "select"
        elif kind == "boolean":
            made.kind = "tick" if (name in self.wording.ticks or name.split(".")[0] in self.wording.ticks) else "yesno"
        elif kind == "object" and "properties" in spec:
            made.kind = "group"
            made.children = self._object_fields(spec, f"{name}.")
        elif kind == "array":
            item, _ = self._resolve(spec.get("items", {}))
            if "enum" in item:
                made.kind = "checkboxes"
                made.options = [(str(v), self.wording.option(v)) for v in item["enum"]]
            elif item.get("type") == "object":
                made.kind = "rows"
                made.rows = min(spec.get("maxItems", ROWS_OF_A_LIST), ROWS_OF_A_LIST)
                made.children = self._object_fields(item, "")
            else:
                made.kind = "textarea"
        elif kind == "integer":
            made.kind = "number"
        elif spec.get("format") == "date-time":
            made.kind = "datetime"
        elif spec.get("format") == "date":
            made.kind = "date"
        elif kind == "string":
            made.max_length = spec.get("maxLength")
            made.kind = "textarea" if (made.max_length or 0) > LONG_TEXT else "text"
        return made

    # --- posted form -> the schema's JSON -------------------------------------------------------------

    def parse(self, form: Any) -> dict[str, Any]:
        return self._collect(self.fields, form, "")

    def _collect(self, fields: list[Field], form: Any, prefix: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for spec in fields:
            key = prefix + spec.name.rsplit(".", 1)[-1] if prefix else spec.name
            value = self._value(spec, form, key)
            if value is not None:
                body[spec.name.rsplit(".", 1)[-1]] = value
        return body

    def _value(self, spec: Field, form: Any, key: str) -> Any:
        if spec.kind == "group":
            return self._collect(spec.children, form, key + ".")
        if spec.kind == "rows":
            rows = []
            for index in range(spec.rows):
                row = self._collect(spec.children, form, f"{key}.{index}.")
                if row:
                    rows.append(row)
            return rows or None
        if spec.kind == "checkboxes":
            chosen = [v for v in form.getlist(key) if v]
            return chosen or None
        raw = (form.get(key) or "").strip()
        if spec.kind == "tick":
            return raw == "yes"
        if raw == "":
            return None
        if spec.kind == "yesno":
            return {"yes": True, "no": False}.get(raw, raw)
        if spec.kind == "number":
            try:
                return int(raw)
            except ValueError:
                return raw
        if spec.kind == "datetime":
            try:
                return datetime.fromisoformat(raw).replace(tzinfo=LONDON).astimezone(UTC).isoformat()
            except ValueError:
                return raw
        return raw

    def validate(self, body: dict[str, Any]) -> dict[str, str]:
        """The schema's own validation, before the API is called: errors by dotted field name."""
        try:
            self.schema.model_validate(body)
        except ValidationError as exc:
            return errors_by_field(exc.errors())
        return {}

    def filled(self, values: dict[str, Any], errors: dict[str, str]) -> list[Field]:
        """The fields with the values to show again and the error beside each one."""
        return [self._fill(spec, values, errors) for spec in self.fields]

    def _fill(self, spec: Field, values: dict[str, Any], errors: dict[str, str]) -> Field:
        made = Field(**{**spec.__dict__, "children": spec.children})
        made.value = _lookup(values, spec.name)
        made.error = errors.get(spec.name)
        if spec.kind == "group":
            made.children = [self._fill(child, values, errors) for child in spec.children]
        return made


def _lookup(values: dict[str, Any], name: str) -> Any:
    current: Any = values
    for part in name.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def errors_by_field(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Pydantic's or the API's `errors` (loc + msg), keyed by dotted field name, values never echoed."""
    found: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body",)]
        name = _field_of(loc)
        message = str(error.get("msg", "This answer is not valid."))
        found.setdefault(name or "_form", _plain(message))
    return found


def _field_of(loc: list[str]) -> str:
    # A list row's error belongs to the list's field; a nested model's to its own field.
    parts = []
    for part in loc:
        if part.isdigit():
            break
        parts.append(part)
    return ".".join(parts)


def _plain(message: str) -> str:
    if message == "Field required":
        return "Answer this question."
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def default_for(spec: Field) -> Any:
    # Only an answer the form needs is offered as "now": an optional moment (a deletion deadline, say)
    # filled in for the person would be sent as if they had chosen it.
    if spec.kind == "datetime" and spec.required:
        return datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M")
    if spec.kind == "date" and spec.name.endswith("_on"):
        # "held on", "delivered on": usually today. Never a date of birth.
        return date.today().isoformat()
    return None
