"""Logs with a request id: one JSON object a line in production (for a log pipeline), one readable
line in development and tests (for a person at a terminal). Both show the same fields.

Log lines carry route templates, status codes, durations, ids and rule ids: never a request
body, a query string, a name, a date of birth or free text from a record. Code that logs must
pass only such values in `extra={"fields": {...}}`.
"""
from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.fields_of(record), default=str)

    def fields_of(self, record: logging.LogRecord) -> dict[str, Any]:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type and where it was raised; its message may quote data, so not that.
            line["exception"] = record.exc_info[0].__name__
            tb = record.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                line["at"] = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        return line


class ReadableFormatter(JsonFormatter):
    """`16:22:28.563 INFO  school_api  http  request  method=POST route=/incidents status=201 …`: the
    fields of the JSON line, in the same order, the request id last (it is long and rarely read)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = self.fields_of(record)
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        head = f"{stamp} {record.levelname:<7} {self.service}  {record.name}  {fields['event']}"
        request_id = fields.get("request_id")
        rest = {key: value for key, value in fields.items() if key not in ("ts", "level", "service", "logger", "event", "request_id")}
        tail = " ".join(f"{key}={value}" for key, value in rest.items())
        return " ".join(part for part in (head, tail, f"request_id={request_id}" if request_id else "") if part)


def configure_logging(service: str, level: str = "INFO", stream: Any = None, *, readable: bool = False) -> None:
    """JSON lines by default; `readable=True` (development) prints one plain line per event instead."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(ReadableFormatter(service) if readable else JsonFormatter(service))
    root = logging.getLogger()
    # Replace only a handler of ours (an app created twice in one process); keep any other, such as a test's capture.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h.formatter, JsonFormatter)] + [handler]
    root.setLevel(level.upper())
    # Uvicorn's own access log prints the raw path with its query string; ours prints the route.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Alembic announces its context on every readiness check.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs every URL it calls; the relay's own lines say what matters without them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # SQL echo would print bound parameters, which are personal data.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
