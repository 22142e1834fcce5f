"""One trace follows a referral from the DSL's decision through the relay into the police intake (issue 15)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.school_api.referrals.relay import Relay
from tests.handoff.support import only_referral, refer
from tests.support import Tokens, bearer

_EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The process's tracer provider, as `…_OTEL_EXPORTER` would install it, exporting to memory.
    OpenTelemetry lets a process set its provider once: later tests reuse it."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    yield _EXPORTER


async def test_the_decision_the_relays_send_and_the_police_intake_are_one_trace(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens, spans: InMemorySpanExporter
) -> None:
    dsl = bearer(tokens.school("dsl", registered_school))
    incident_id = await refer(school, dsl)
    referral = await only_referral(school, dsl, incident_id)
    relay: Relay = school_app.state.relay
    await relay.deliver_due()  # later, and in a process of its own in production: the trace travels with the message

    by_name: dict[str, list[Any]] = {}
    for finished in spans.get_finished_spans():
        by_name.setdefault(finished.name, []).append(finished)
    queued = next(s for s in by_name["police_referral.queue"] if s.attributes["referral_id"] == referral["id"])
    sent = next(s for s in by_name["police_referral.send"] if s.attributes["referral_id"] == referral["id"])
    received = next(s for s in by_name["school_report.receive"] if s.attributes["school_incident_id"] == incident_id)

    assert queued.context.trace_id == sent.context.trace_id == received.context.trace_id
    assert sent.parent.span_id == queued.context.span_id
    assert received.parent.span_id == sent.context.span_id
    assert sent.kind is trace.SpanKind.CLIENT and received.kind is trace.SpanKind.SERVER
    assert sent.attributes["http.response.status_code"] == 201


async def test_no_span_carries_a_name_a_date_of_birth_or_a_narrative(
    school: httpx.AsyncClient, school_app: Any, registered_school: str, tokens: Tokens, spans: InMemorySpanExporter
) -> None:
    from tests.school_api.workflow import School

    steps = School(school, tokens, registered_school)
    incident = await steps.open(narrative="Tracingmarker said the image was sent at break.")
    await steps.add_person(incident, given_name="Spanella", family_name="Traceworth", date_of_birth="2011-05-06", age_years=None)
    await steps.ready_to_decide(incident, typology="aggravated_youth_intent_to_harm")
    assert (await steps.decide(incident, outcome="refer_police", police_channel="101", reasons="Aggravated.")).status_code == 201
    await school_app.state.relay.deliver_due()
    written = " ".join(
        f"{s.name} {dict(s.attributes)} {[dict(e.attributes or {}) for e in s.events]}" for s in spans.get_finished_spans()
    )
    assert "school_report.receive" in written
    for secret in ("Tracingmarker", "Spanella", "Traceworth", "2011-05-06"):
        assert secret not in written
