"""A console form bound to one API operation: shown only to roles the policy allows, posted with the
page's CSRF token and the ETag the person saw (a stale page answers 412 instead of overwriting), and
every refusal shown beside the field it concerns (`rule_fields`: rule id -> field)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from shared.console.api import Answer
from shared.console.forms import Field, FormBuilder, Wording, default_for, errors_by_field
from shared.console.web import PREFIX, Page

FORM_LEVEL = "_form"


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    schema: type[BaseModel]
    method: str
    path: str
    operation: str
    wording: Wording
    submit: str = "Save"
    rule_fields: dict[str, str] = field(default_factory=dict)
    omit: frozenset[str] = frozenset()
    # Fields asked first, in this order (a schema lists inherited fields first).
    order: tuple[str, ...] = ()
    # field -> console URL that checks the value as it is typed (progressive enhancement)
    live_checks: dict[str, str] = field(default_factory=dict)
    # Labels of this form only (one field name can mean different things in two forms: `kind`).
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class FormState:
    spec: FormSpec
    action: str
    fields: list[Field]
    if_match: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    refusals: list[dict[str, str]] = field(default_factory=list)
    # Tells apart two forms of one kind on a page (the custody form of each device).
    suffix: str = ""

    @property
    def dom(self) -> str:
        return self.spec.key + (f"-{self.suffix}" if self.suffix else "")

    def anchor(self, name: str) -> str:
        return f"#f-{self.dom}-" + name.replace(".", "-")

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(message, anchor) for the error summary at the top of the page."""
        found = []
        for name, message in self.errors.items():
            if name != FORM_LEVEL:
                found.append((message, self.anchor(name)))
        for refusal in self.refusals:
            target = self.spec.rule_fields.get(refusal["rule"])
            anchor = self.anchor(target) if target else f"#form-{self.dom}"
            found.append((f"{refusal['rule']}: {refusal['message']}", anchor))
        if FORM_LEVEL in self.errors:
            found.append((self.errors[FORM_LEVEL], f"#form-{self.dom}"))
        return found

    def refusals_for(self, name: str) -> list[dict[str, str]]:
        return [r for r in self.refusals if self.spec.rule_fields.get(r["rule"]) == name]

    @property
    def unplaced_refusals(self) -> list[dict[str, str]]:
        return [r for r in self.refusals if r["rule"] not in self.spec.rule_fields]


def _builder(spec: FormSpec, choices: dict[str, list[tuple[str, str]]] | None) -> FormBuilder:
    wording = replace(spec.wording, labels={**spec.wording.labels, **spec.labels}) if spec.labels else spec.wording
    return FormBuilder(spec.schema, wording, choices, spec.omit, spec.order)


def blank(spec: FormSpec, ids: dict[str, Any], *, choices: dict[str, list[tuple[str, str]]] | None = None,
          if_match: str | None = None, values: dict[str, Any] | None = None, suffix: str = "") -> FormState:
    builder = _builder(spec, choices)
    defaults = dict(values or {})
    for made in builder.fields:
        if made.name not in defaults and (value := default_for(made)) is not None:
            defaults[made.name] = value
    return FormState(spec, action_url(spec, ids), builder.filled(defaults, {}), if_match, suffix=suffix)


def action_url(spec: FormSpec, ids: dict[str, Any]) -> str:
    owner = "/".join(f"{name}/{value}" for name, value in ids.items())
    return f"{PREFIX}/forms/{spec.key}" + (f"/{owner}" if owner else "")


async def submit(spec: FormSpec, page: Page, ids: dict[str, Any], *,
                 choices: dict[str, list[tuple[str, str]]] | None = None,
                 extra: dict[str, Any] | None = None, suffix: str = "") -> tuple[Answer | None, FormState]:
    """Post the person's answers to the API. Returns the API's answer when it accepted them, and the
    form (values kept, errors placed) for showing again."""
    form = await page.form()
    builder = _builder(spec, choices)
    body = {**builder.parse(form), **(extra or {})}
    if_match = str(form.get("if_match") or "") or None
    state = FormState(spec, action_url(spec, ids), [], if_match, suffix=suffix)
    errors = builder.validate(body)
    answer = None
    if not errors:
        answer = await page.api.call(spec.method, spec.path.format(**ids), json=body, if_match=if_match)
        if answer.status == 412:
            errors[FORM_LEVEL] = "Someone changed this record after you opened the page. Reload the page and check before saving again."
        elif answer.status == 422 and answer.errors:
            errors = errors_by_field(answer.errors)
        elif not answer.ok:
            state.refusals = answer.violations
            if not state.refusals:
                errors[FORM_LEVEL] = answer.detail
    state.errors = errors
    state.fields = builder.filled(body, errors)
    return (answer if answer is not None and answer.ok else None), state


def form_states(values: Any) -> Iterator[FormState]:
    """Every form in a page's values, however nested (one custody form per device), for the error summary."""
    if isinstance(values, FormState):
        yield values
    elif isinstance(values, dict):
        for value in values.values():
            yield from form_states(value)
    elif isinstance(values, list | tuple):
        for value in values:
            yield from form_states(value)
