"""create_app(): the police service with its routers, middleware and lifespan."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.police_api.console.routes import mount as mount_console
from services.police_api.console.models import RECORDS as CONSOLE_SESSIONS
from services.police_api.console.spec import SPEC as CONSOLE
from services.police_api.access import ClaimsReader
from services.police_api.audit.routes import router as audit_router
from services.police_api.clients.routes import router as clients_router
from services.police_api.compliance.gauges import ncrs_clock_readings
from services.police_api.database import AuditEntry, Base, PoliceSession
from services.police_api.compliance.routes import router as compliance_router
from services.police_api.crimes.routes import router as crimes_router
from services.police_api.feed import service as feed
from services.police_api.feed.routes import router as feed_router
from services.police_api.feed.service import FeedWaiters, install_status_marking
from services.police_api.incidents.routes import router as incidents_router
from services.police_api.outcomes.routes import router as outcomes_router
from services.police_api.persons.routes import router as persons_router
from services.police_api.ppu.gauges import unacknowledged_readings
from services.police_api.ppu.routes import router as ppu_router
from services.police_api.reports.routes import router as reports_router
from services.police_api.retention.routes import router as retention_router
from services.police_api.routing.routes import router as routing_router
from services.police_api.subject_access.routes import router as subject_access_router
from services.police_api.settings import AUDIENCE, PoliceSettings
from shared.checkpoints import CheckpointStore, checkpoint_forever, stop_checkpoints
from shared.console.web import PREFIX as CONSOLE_PREFIX
from shared.console.web import Console
from shared.clock import Clock
from shared.context import Runtime
from shared.db import create_engine
from shared.encryption import install_data_keys, load_key_ring
from shared.logging import configure_logging
from shared.jwks import StaticKeySet, open_issuer_keys, prime
from shared.notify import listen
from shared.service_app import database_gauges, declare_common_problems, new_service_app
from shared.tokens import TokenIssuer, TokenVerifier, TrustedIssuer
from shared.tracing import configure_tracing

SERVICE = "police_api"
DESCRIPTION = (
    "Receives schools' reports of youth-produced sexual imagery and carries each through the "
    "police procedure: incident, NCRS crime recording, PPU notification, routing and outcome."
)
TOKEN_PATH = "/oauth/token"


def create_app(settings: PoliceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or PoliceSettings()
    settings.assert_fit_for_environment()
    configure_logging(SERVICE, settings.log_level, readable=settings.readable_logs)
    configure_tracing(SERVICE, settings.otel_exporter, settings.otel_endpoint)
    install_status_marking(PoliceSession)
    clock = clock or Clock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_data_keys(Base.metadata, load_key_ring(settings.data_keys_file))
        engine = create_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout_seconds,
            busy_timeout=settings.db_busy_timeout_seconds,
        )
        feed_waiters = FeedWaiters()
        # What the feed's before-commit step needs of the request (services/police_api/feed/service.py).
        sessionmaker = async_sessionmaker(
            engine,
            expire_on_commit=False,
            sync_session_class=PoliceSession,
            info={feed.FEED_CLOCK: clock, feed.FEED_WAITERS: feed_waiters},
        )
        signing_key = settings.signing_key_file.read_text()
        # School-client tokens carry the signing key's thumbprint as kid; /.well-known/jwks.json publishes it.
        signer = TokenIssuer(settings.client_token_issuer, signing_key)
        own_keys = StaticKeySet([signing_key])
        idp_keys, jwks_http = open_issuer_keys(
            file=settings.idp_jwks_file,
            url=settings.idp_jwks_url,
            cache_seconds=settings.idp_jwks_cache_seconds,
            min_refresh_seconds=settings.idp_jwks_min_refresh_seconds,
        )
        await prime(idp_keys)
        verifier = TokenVerifier(
            audience=AUDIENCE,
            issuers=[
                TrustedIssuer(settings.idp_issuer, idp_keys),
                TrustedIssuer(settings.client_token_issuer, own_keys),
            ],
        )
        app.state.runtime = Runtime(
            service=SERVICE,
            engine=engine,
            sessionmaker=sessionmaker,
            clock=clock,
            verifier=verifier,
            audit_model=AuditEntry,
            actor_from_claims=ClaimsReader(settings.client_token_issuer),
        )
        app.state.signer = signer
        app.state.signing_keys = own_keys
        app.state.settings = settings
        app.state.feed_waiters = feed_waiters
        # Another process's commit wakes this one's long polls (PostgreSQL); a listener that (re)starts
        # wakes every waiter to look again (services/police_api/feed/service.py).
        listener = (
            asyncio.create_task(
                listen(engine, feed.CHANGED_CHANNEL, lambda client_id: feed_waiters.wake([client_id]), on_listening=feed_waiters.wake_all)
            )
            if engine.dialect.name == "postgresql"
            else None
        )
        checkpoints = None
        if settings.audit_checkpoint_interval_seconds:
            store = CheckpointStore(settings.audit_checkpoint_dir, signing_key)
            checkpoints = asyncio.create_task(
                checkpoint_forever(sessionmaker, AuditEntry, store, SERVICE, clock, settings.audit_checkpoint_interval_seconds)
            )
        try:
            yield
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            if checkpoints is not None:
                await stop_checkpoints(checkpoints)
            if jwks_http is not None:
                await jwks_http.aclose()
            await engine.dispose()

    app = new_service_app(
        title="Police liaison API",
        description=DESCRIPTION,
        service=SERVICE,
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        form_paths=frozenset({TOKEN_PATH}),
        form_prefix=CONSOLE_PREFIX + "/",
        gauges=database_gauges(ncrs_clock_readings, unacknowledged_readings),
    )
    for router in (
        clients_router,
        reports_router,
        feed_router,
        incidents_router,
        persons_router,
        crimes_router,
        ppu_router,
        routing_router,
        outcomes_router,
        compliance_router,
        audit_router,
        retention_router,
        subject_access_router,
    ):
        app.include_router(router)
    mount_console(app, Console(CONSOLE, settings, CONSOLE_SESSIONS))
    declare_common_problems(app)
    return app
