"""RFC 9457 problem details, as plain exceptions that any layer may raise.

Each kind of error is a subclass with a stable `slug`; its `type` URI is `/problems/<slug>`,
resolved against the service that answered (each service serves its catalogue there).
Nothing here imports FastAPI: business rules raise these, `shared.http` renders them.

A problem's `detail` must never carry personal data (names, dates of birth, narratives):
write it from rule ids, field names and counts only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

PROBLEM_TYPE_PREFIX = "/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

_CATALOGUE: dict[str, type["Problem"]] = {}


@dataclass(frozen=True)
class RuleViolation:
    """One unmet condition, named by the guidance rule it comes from."""

    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


class Problem(Exception):
    slug: ClassVar[str] = "about-blank"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Error"
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.slug in _CATALOGUE and _CATALOGUE[cls.slug] is not cls:
            raise TypeError(f"problem slug {cls.slug!r} is used twice")
        _CATALOGUE[cls.slug] = cls

    def __init__(
        self,
        detail: str | None = None,
        *,
        violations: list[RuleViolation] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        self.detail = detail or self.title
        self.violations = violations or []
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(self.detail)

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_PREFIX + cls.slug

    def body(self, instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri(),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if request_id:
            body["request_id"] = request_id
        if self.violations:
            body["violations"] = [violation.as_dict() for violation in self.violations]
        body.update(self.extensions)
        return body


def catalogue() -> dict[str, type[Problem]]:
    return dict(sorted(_CATALOGUE.items()))


class MalformedRequest(Problem):
    slug, status, title = "malformed-request", 400, "Malformed request"
    description = "The request could not be read: invalid JSON, invalid UTF-8, or a required header is missing."


class Unauthenticated(Problem):
    slug, status, title = "unauthenticated", 401, "Authentication required"
    description = "No bearer token was sent, or the token is expired, forged, for another service or of the wrong type."

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        super().__init__(detail or "A valid bearer token is required.", headers=headers, **kwargs)


class UnknownSigningKey(Unauthenticated):
    slug, title = "unknown-signing-key", "Token signed by an unknown key"
    description = (
        "The token names no signing key (`kid`), or one its issuer's current key set does not hold: "
        "the key was never published or has been withdrawn. Get a new token."
    )


class Forbidden(Problem):
    slug, status, title = "forbidden", 403, "Not allowed for this role"
    description = "The token is valid but its role may not perform this operation."


class NotFound(Problem):
    slug, status, title = "not-found", 404, "Not found"
    description = "No such record in the caller's organisation. Records of other schools or forces answer the same."


class MethodNotAllowed(Problem):
    slug, status, title = "method-not-allowed", 405, "Method not allowed"


class Conflict(Problem):
    slug, status, title = "conflict", 409, "Conflict"
    description = "The request conflicts with the record's current state."


class InvalidTransition(Problem):
    slug, status, title = "invalid-transition", 409, "Status change not allowed"
    description = "The record's lifecycle does not allow this change from its current status."


class PreconditionFailed(Problem):
    slug, status, title = "precondition-failed", 412, "Record changed since it was read"
    description = "The If-Match ETag is stale: read the record again, then retry."


class PayloadTooLarge(Problem):
    slug, status, title = "payload-too-large", 413, "Request body too large"


class UnsupportedMediaType(Problem):
    slug, status, title = "unsupported-media-type", 415, "Only JSON is accepted"
    description = (
        "Request bodies must be application/json. A body that carries a file (multipart, image/*, video/*, "
        "application/octet-stream) is refused as image-refused instead."
    )


class ImageRefused(Problem):
    slug, status, title = "image-refused", 422, "Images and videos are never accepted"
    description = (
        "The request carries, or appears to carry, an image or video: a file upload (multipart, image/*, video/*, "
        "application/octet-stream), a data: URI, image or video bytes encoded in a text field, or an oversized field. "
        "Record what the image is (its nature), never the image itself (S-IMAGE)."
    )


class ValidationFailed(Problem):
    slug, status, title = "validation-failed", 422, "Invalid request"
    description = "One or more fields are invalid; `errors` lists them by location without echoing values."


class RuleRefused(Problem):
    slug, status, title = "rule-violation", 422, "Refused by the guidance"
    description = "The request would break a rule of the guidance; `violations` names every unmet rule by id."


class PreconditionRequired(Problem):
    slug, status, title = "precondition-required", 428, "If-Match required"
    description = "Updates must send the record's ETag in If-Match so that concurrent edits are not lost."


class RateLimited(Problem):
    slug, status, title = "rate-limited", 429, "Too many attempts"


class InternalError(Problem):
    slug, status, title = "internal-error", 500, "Internal error"
    description = "An unexpected error. Nothing about the request is echoed; quote the request_id to support."


class ServiceUnavailable(Problem):
    slug, status, title = "service-unavailable", 503, "Service unavailable"
    description = (
        "The service cannot answer now: every database connection is busy, the database is locked by another "
        "writer, or the identity provider's key set cannot be fetched. Retry after Retry-After seconds."
    )
