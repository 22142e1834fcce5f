"""The HTTP edge both services share: problem+json rendering, the request guard, headers, logs.

`RequestGuard` is pure ASGI so that it can refuse oversized, non-JSON or image-carrying bodies
before FastAPI parses anything, and so that every response gets the security headers.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from typing import Annotated

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import request_id_var
from shared.media import MediaFinding, UnstorableText, inspect_json
from shared.problems import (
    PROBLEM_CONTENT_TYPE,
    Conflict,
    ImageRefused,
    InternalError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
    catalogue,
)

log = logging.getLogger("http")

RefusalHook = Callable[[Request | Scope, Problem], Awaitable[None]]
AnsweredHook = Callable[[str, str, int, float], None]
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_MEDIA_TYPES_REFUSED_AS_IMAGES = ("image/", "video/", "multipart/", "application/octet-stream")
CANCELLED_LOG_STATUS = 499  # logged only: no response is sent for a cancelled request

SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
_INTERACTIVE_DOCS = ("/docs", "/redoc")


# The header every update takes (`shared.concurrency.expected_version` reads it): required in the OpenAPI
# document; a request without it is answered 428 (install_problem_handlers), one with a stale ETag 412.
IfMatch = Annotated[
    str,
    Header(
        description=(
            'The record\'s ETag as last read (`"v<version>"`): the change is made only if nobody changed the '
            "record since. Missing: 428 precondition-required; stale: 412 precondition-failed."
        ),
    ),
]


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=instance, request_id=request_id_var.get()),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_CONTENT_TYPE,
    )


class RequestGuard:
    """Request id, body limit (413), JSON only (415), no media (422), headers, one access log line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        on_refusal: RefusalHook | None = None,
        form_paths: frozenset[str] = frozenset(),
        form_prefix: str | None = None,
        on_answered: AnsweredHook | None = None,
    ) -> None:
        self.app = app
        # Told of every answered request (the metrics), with the route template, never the raw path.
        self.on_answered = on_answered
        self.max_body_bytes = max_body_bytes
        self.on_refusal = on_refusal
        # Paths that take an OAuth2 form body (the token endpoint, RFC 6749 section 4.4.2).
        self.form_paths = form_paths
        # The console's HTML forms post url-encoded fields; the console then calls the JSON API in-process,
        # so every value still passes this guard's media and size checks as JSON (docs/console.md).
        self.form_prefix = form_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        status_holder: dict[str, Any] = {"status": 500, "answered": False}
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["answered"] = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if b"content-security-policy" not in present and not path.startswith(_INTERACTIVE_DOCS):
                    headers.append((b"content-security-policy", API_CSP))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            if scope["method"] in _BODY_METHODS:
                body, problem = await self._read_and_check_body(scope, receive)
                if problem is not None:
                    if self.on_refusal is not None:
                        await self.on_refusal(scope, problem)
                    await problem_response(problem, instance=path)(scope, _empty_receive, send_with_headers)
                    return
                receive = _replay(body)
            await self.app(scope, receive, send_with_headers)
        except asyncio.CancelledError:
            if not status_holder["answered"]:
                # Nothing was answered: the server is shutting down or the caller went away. 499 is
                # the usual log code for it ("client closed request"); a 500 here sent people hunting.
                status_holder["status"] = CANCELLED_LOG_STATUS
            raise
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            seconds = time.perf_counter() - started
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "route": route,
                        "status": status_holder["status"],
                        "duration_ms": round(seconds * 1000, 2),
                    }
                },
            )
            if self.on_answered is not None:
                self.on_answered(scope["method"], route, status_holder["status"], seconds)
            request_id_var.reset(token)

    def _takes_form(self, path: str) -> bool:
        return path in self.form_paths or (self.form_prefix is not None and path.startswith(self.form_prefix))

    async def _read_and_check_body(self, scope: Scope, receive: Receive) -> tuple[bytes, Problem | None]:
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return b"", PayloadTooLarge(f"Request bodies are limited to {self.max_body_bytes} bytes.")
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return b"", PayloadTooLarge(f"Request bodies are limited to {self.max_body_bytes} bytes.")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not body:
            return body, None
        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded" and self._takes_form(scope.get("path", "")):
            return body, None
        if content_type.startswith(_MEDIA_TYPES_REFUSED_AS_IMAGES):
            # The same problem type as an image found inside JSON, so that a client keys on one type.
            return body, ImageRefused(
                "Images, videos and files are never accepted. Record what the image is, never the image (S-IMAGE)."
            )
        if content_type != "application/json" and not content_type.endswith("+json"):
            return body, UnsupportedMediaType("Request bodies must be application/json.")
        try:
            document = json.loads(body)
        except UnicodeDecodeError:
            return body, MalformedRequest("The body is not valid UTF-8.")
        except (ValueError, RecursionError):
            return body, MalformedRequest("The body is not valid JSON.")
        inspection = inspect_json(document)
        if inspection.media is not None:
            return body, ImageRefused(_MEDIA_MESSAGES[inspection.media])
        if inspection.unstorable is not None:
            return body, ValidationFailed(_UNSTORABLE_MESSAGES[inspection.unstorable])
        return body, None


_MEDIA_MESSAGES = {
    MediaFinding.data_uri: "A field carries a data: URI. Images are never accepted: record the image's nature instead (S-IMAGE).",
    MediaFinding.encoded_media: "A field carries encoded image or video content. Images are never accepted (S-IMAGE).",
    MediaFinding.oversized_text: "A field is longer than any legitimate text and may carry encoded media (S-IMAGE).",
}
_UNSTORABLE_MESSAGES = {
    UnstorableText.nul_character: "Text fields may not contain NUL characters.",
    UnstorableText.unpaired_surrogate: "Text fields must be valid Unicode (an unpaired surrogate was sent).",
    UnstorableText.too_deep: "The JSON document is nested too deeply.",
}


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def install_problem_handlers(app: FastAPI, on_refusal: RefusalHook | None = None) -> None:
    async def render(request: Request, problem: Problem) -> JSONResponse:
        if on_refusal is not None and problem.status < 500:
            await on_refusal(request, problem)
        return problem_response(problem, instance=request.url.path)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return await render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Locations and messages only: pydantic's `input` and `ctx` would echo what was sent.
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": error.get("msg", ""), "type": error.get("type", "")}
            for error in exc.errors()
        ]
        if any(error["type"] == "json_invalid" for error in errors):
            return await render(request, MalformedRequest("The body is not valid JSON."))
        if errors and all(error["loc"] == ["header", "if-match"] and error["type"] == "missing" for error in errors):
            # If-Match is required in the OpenAPI document; a request without it is told why (428), as
            # `shared.concurrency.expected_version` tells one that sends it empty.
            return await render(request, PreconditionRequired("Send the record's ETag in If-Match to change it."))
        return await render(request, ValidationFailed("The request has invalid fields.", errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return await render(request, NotFound("No such resource."))
        if exc.status_code == 405:
            allow = ", ".join(_allowed_methods(request))
            return await render(request, MethodNotAllowed("Method not allowed on this resource.", headers={"Allow": allow}))
        generic = Problem(str(exc.detail) if exc.status_code < 500 else None)
        generic.status = exc.status_code  # type: ignore[misc]
        return problem_response(generic, instance=request.url.path)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        # Another request changed the versioned row between our If-Match check and this write.
        return await render(request, PreconditionFailed("The record changed while this request was being made; read it again and retry."))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        if _is_unique_violation(exc):
            # Two requests created the same record at once; the loser is told, not given a 500.
            return await render(request, Conflict("A record like this was created at the same time; read it and retry."))
        log.error("integrity error", exc_info=exc)
        return problem_response(InternalError(), instance=request.url.path)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free within the pool timeout")
        return problem_response(
            ServiceUnavailable("The service is busy; retry shortly.", headers={"Retry-After": "1"}), instance=request.url.path
        )

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        if _is_sqlite_lock(exc):
            # Another writer held SQLite's write lock for the whole busy timeout: busy, not broken.
            log.warning("database locked for the whole busy timeout")
            return problem_response(
                ServiceUnavailable("The database is busy; retry shortly.", headers={"Retry-After": "2"}),
                instance=request.url.path,
            )
        log.error("database error", exc_info=exc)
        return problem_response(InternalError(), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return problem_response(InternalError(), instance=request.url.path)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path, for `Allow` (RFC 9110 section 15.5.6). Starlette's own
    405 names only the methods of the first route that matched the path, not of every route at it."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def _is_sqlite_lock(exc: OperationalError) -> bool:
    message = str(exc.orig)
    return "database is locked" in message or "database table is locked" in message


def _is_unique_violation(exc: IntegrityError) -> bool:
    original = exc.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code == "23505" or "UNIQUE constraint failed" in str(original)


def add_problem_catalogue(app: FastAPI) -> None:
    """Serve `/problems/{slug}` so that every problem `type` resolves to its description."""

    @app.get("/problems", include_in_schema=False)
    async def problem_catalogue() -> list[dict[str, Any]]:
        return [_describe(problem) for problem in catalogue().values()]

    @app.get("/problems/{slug}", include_in_schema=False)
    async def problem_type(slug: str) -> dict[str, Any]:
        problem = catalogue().get(slug)
        if problem is None:
            raise NotFound("No such problem type.")
        return _describe(problem)


def _describe(problem: type[Problem]) -> dict[str, Any]:
    return {
        "type": problem.type_uri(),
        "title": problem.title,
        "status": problem.status,
        "description": problem.description or problem.title,
    }


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "violations": {
            "type": "array",
            "items": {"type": "object", "properties": {"rule": {"type": "string"}, "message": {"type": "string"}}},
        },
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status"],
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring problem+json bodies for the given statuses."""
    return {
        status: {
            "description": _STATUS_TEXT.get(status, "Problem"),
            "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


_STATUS_TEXT = {
    400: "Malformed request (invalid JSON or UTF-8, or a required header missing)",
    401: "Missing, expired or invalid bearer token",
    403: "Role not allowed",
    404: "Not found in the caller's organisation",
    409: "Conflict with the record's state",
    412: "If-Match is stale",
    413: "Body too large",
    415: "Body is not JSON (a file, image or video is refused as 422 image-refused)",
    422: "Invalid fields, an image, video or file, or a rule of the guidance refused the request",
    428: "If-Match required",
    429: "Too many attempts",
    500: "Internal error",
    503: "Service unavailable",
}
