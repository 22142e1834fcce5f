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
    # Where one rule refuses two fields (S-INITIAL-REVIEW: who attended, what was decided): a phrase of the
    # refusal's message -> the field it concerns, looked at before `rule_fields`.
    message_fields: dict[str, str] = field(default_factory=dict)

    def field_of(self, refusal: dict[str, str]) -> str | None:
        for phrase, name in self.message_fields.items():
            if phrase in refusal.get("message", ""):
                return name
        return self.rule_fields.get(refusal["rule"])


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
            target = self.spec.field_of(refusal)
            anchor = self.anchor(target) if target else f"#form-{self.dom}"
            found.append((f"{refusal['rule']}: {refusal['message']}", anchor))
        if FORM_LEVEL in self.errors:
            found.append((self.errors[FORM_LEVEL], f"#form-{self.dom}"))
        return found

    def refusals_for(self, name: str) -> list[dict[str, str]]:
        return [r for r in self.refusals if self.spec.field_of(r) == name]

    @property
    def unplaced_refusals(self) -> list[dict[str, str]]:
        return [r for r in self.refusals if self.spec.field_of(r) is None]


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
                 extra: dict[str, Any] | None = None, suffix: str = "",
                 current: dict[str, Any] | None = None) -> tuple[Answer | None, FormState]:
    """Post the person's answers to the API. Returns the API's answer when it accepted them, and the
    form (values kept, errors placed) for showing again.

    `current` makes the form an edit of that record (a PATCH, where only sent fields change): only the
    answers the person changed are sent, and an answer they emptied is sent as null."""
    form = await page.form()
    builder = _builder(spec, choices)
    body = {**builder.parse(form), **(extra or {})}
    sent = body if current is None else changed_answers(builder, body, current)
    if_match = str(form.get("if_match") or "") or None
    state = FormState(spec, action_url(spec, ids), [], if_match, suffix=suffix)
    errors = builder.validate(sent)
    answer = None
    if not errors and not sent and current is not None:
        errors[FORM_LEVEL] = "You have not changed any answer."
    elif not errors:
        answer = await page.api.call(spec.method, spec.path.format(**ids), json=sent, if_match=if_match)
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


def changed_answers(builder: FormBuilder, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The answers that differ from the record as the API gave it (an unanswered question and an empty list
    are the same; the order of ticked boxes is not a change)."""
    def same(new: Any, old: Any) -> bool:
        if new in (None, "", []) or old in (None, "", []):
            return new in (None, "", []) and old in (None, "", [])
        if isinstance(new, list) and isinstance(old, list):
            return sorted(map(str, new)) == sorted(map(str, old))
        return new == old or str(new) == str(old)

    return {made.name: body.get(made.name) for made in builder.fields if not same(body.get(made.name), current.get(made.name))}


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
