"""OpenTelemetry traces that follow one referral across both services; off unless an exporter is set.

One trace per referral: the DSL's decision queues it (`police_referral.queue`, in the school API), the
relay sends it later, perhaps from another process (`police_referral.send`, a child of the queue span
through the W3C `traceparent` kept on the outbox message), and the police take it in
(`school_report.receive`, a child of the send through the request's `traceparent` header). Every retry of
a send is a span of the same trace.

Spans carry record ids and outcomes only: never a name, a date of birth, narrative text or a token.
With no exporter configured the OpenTelemetry API's no-op tracer is used, so tracing costs nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context as TraceContext
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import Span, SpanKind

log = logging.getLogger("tracing")
TRACER_NAME = "ysi-handoff"
TRACEPARENT = "traceparent"


class TraceExporter(StrEnum):
    none = "none"
    console = "console"  # spans printed as JSON on standard output: for development
    otlp = "otlp"  # OTLP over HTTP to `…_OTEL_ENDPOINT` (needs the `otlp` extra: pip install '.[otlp]')


def configure_tracing(service: str, exporter: TraceExporter, endpoint: str | None = None) -> None:
    """Install the process's tracer provider once; with `none`, leave the no-op tracer in place."""
    if exporter is TraceExporter.none:
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter is TraceExporter.otlp:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise SystemExit("the otlp trace exporter needs the otlp extra: pip install '.[otlp]'") from None
        span_exporter: Any = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    else:
        span_exporter = ConsoleSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to keep with work that another process picks up later."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get(TRACEPARENT)


def context_from(traceparent: str | None) -> TraceContext | None:
    return extract({TRACEPARENT: traceparent}) if traceparent else None


def context_from_headers(headers: Mapping[str, str]) -> TraceContext:
    return extract({key.lower(): value for key, value in headers.items()})


def outgoing_headers() -> dict[str, str]:
    """Headers that carry the current span to the service called."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


@contextmanager
def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, parent: TraceContext | None = None, **attributes: Any) -> Iterator[Span]:
    with tracer().start_as_current_span(name, context=parent, kind=kind, attributes=attributes) as current:
        yield current
