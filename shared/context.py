"""The request scope: who is calling, one database transaction, the audit trail, the clock.

One transaction per request, committed here (never in service functions): the audit rows are
appended last, the transaction commits before the response is sent, and only then do the
after-commit hooks run (for example waking the referral relay).
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import Scope

from shared.audit import AuditTrail, append_events
from shared.clock import Clock
from shared.db import run_after_commit, run_after_rollback, run_before_commit
from shared.identity import ANONYMOUS, Actor
from shared.logging import request_id_var
from shared.jwks import KeySetUnavailable
from shared.problems import Forbidden, Problem, ServiceUnavailable, Unauthenticated, UnknownSigningKey
from shared.tenancy import ALL_TENANTS, set_tenant
from shared.tokens import InvalidToken, TokenVerifier, UnknownKey

log = logging.getLogger("context")


@dataclass
class Context:
    """What a service function needs about the request; it never sees FastAPI."""

    session: AsyncSession
    actor: Actor
    audit: AuditTrail
    clock: Clock
    now: datetime
    # Process-level callbacks a service may schedule after commit (for example: wake the relay).
    signals: dict[str, Callable[[], None]] = field(default_factory=dict)


ActorFromClaims = Callable[[dict[str, Any]], Actor]
Authorize = Callable[[Request, Actor], None]


@dataclass
class Runtime:
    """Per-process resources of one service, held on `app.state.runtime`."""

    service: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    verifier: TokenVerifier
    audit_model: type[Any]
    actor_from_claims: ActorFromClaims
    signals: dict[str, Callable[[], None]] = field(default_factory=dict)

    def session(self, tenant: str | Any) -> AsyncSession:
        """A session outside a request; the caller says whose rows it may see (fail closed)."""
        session = self.sessionmaker()
        set_tenant(session, tenant)
        return session


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


async def authenticate(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    runtime = runtime_of(request)
    try:
        claims = await runtime.verifier.verify(token.strip())
        actor = runtime.actor_from_claims(claims)
    except KeySetUnavailable:
        log.warning("token not checked: the issuer's key set is unavailable")
        raise ServiceUnavailable(
            "The identity provider's keys cannot be fetched; retry shortly.", headers={"Retry-After": "5"}
        ) from None
    except UnknownKey as exc:
        log.info("token refused", extra={"fields": {"reason": str(exc)}})
        raise UnknownSigningKey("The token's signing key (kid) is not in its issuer's key set.") from None
    except InvalidToken as exc:
        log.info("token refused", extra={"fields": {"reason": str(exc)}})
        raise Unauthenticated() from None
    request.state.actor = actor
    return actor


def context_dependency(authorize: Authorize) -> Callable[[Request], AsyncIterator[Context]]:
    """Build the service's `Context` dependency around its one access-policy check."""

    async def request_context(request: Request) -> AsyncIterator[Context]:
        actor = await authenticate(request)
        authorize(request, actor)
        runtime = runtime_of(request)
        trail = AuditTrail(request_id=request_id_var.get(), actor=actor)
        async with runtime.sessionmaker() as session:
            set_tenant(session, actor.tenant)
            context = Context(
                session=session,
                actor=actor,
                audit=trail,
                clock=runtime.clock,
                now=runtime.clock.now(),
                signals=runtime.signals,
            )
            try:
                yield context
                await run_before_commit(session)
                await append_events(session, runtime.audit_model, trail, runtime.clock)
                await session.commit()
            except BaseException:
                await session.rollback()
                await _quietly(run_after_rollback(session), "after-rollback hook failed")
                raise
            # The commit stands whatever a hook does; a failed wake-up is caught by the next scheduled pass.
            await _quietly(run_after_commit(session), "after-commit hook failed")

    return request_context


async def _quietly(hooks: Awaitable[None], failure: str) -> None:
    try:
        await hooks
    except Exception:
        log.exception(failure)


def refusal_auditor(get_runtime: Callable[[], Runtime]) -> Callable[[Request | Scope, Problem], Any]:
    """Write one audit row for a refused request, in its own transaction (the request's rolled back)."""

    async def audit_refusal(request_or_scope: Request | Scope, problem: Problem) -> None:
        scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
        state = scope.get("state") or {}
        actor = state.get("actor", ANONYMOUS) if isinstance(state, dict) else getattr(state, "actor", ANONYMOUS)
        route = scope.get("route")
        operation = getattr(route, "name", None) or f"{scope.get('method', '')} unmatched"
        record_id = next((value for value in (scope.get("path_params") or {}).values() if _is_uuid(value)), None)
        runtime = get_runtime()
        trail = AuditTrail(request_id=request_id_var.get(), actor=actor)
        trail.refusal(operation, problem.type_uri(), record_id=record_id)
        try:
            async with runtime.session(ALL_TENANTS) as session:
                await append_events(session, runtime.audit_model, trail, runtime.clock)
                await session.commit()
        except Exception:
            log.exception("could not audit a refusal")

    return audit_refusal


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def policy_authorizer(policy: dict[str, frozenset[Any]]) -> Authorize:
    """Default-deny check of the caller's role against the route's entry in a service's policy table."""

    def authorize(request: Request, actor: Actor) -> None:
        operation_id = getattr(request.scope.get("route"), "name", "")
        if actor.role not in policy.get(operation_id, frozenset()):
            raise Forbidden(f"The {actor.role} role may not perform {operation_id}.")

    return authorize
