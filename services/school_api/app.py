"""create_app(): the school service with its routers, middleware and lifespan (engine, police client, relay)."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from services.school_api.access import actor_from_claims
from services.school_api.actions.routes import router as actions_router
from services.school_api.assessments.routes import router as assessments_router
from services.school_api.audit.routes import router as audit_router
from services.school_api.authorisations.routes import router as authorisations_router
from services.school_api.chronology.routes import router as chronology_router
from services.school_api.console.routes import mount as mount_console
from services.school_api.console.spec import SPEC as CONSOLE
from services.school_api.console.models import RECORDS as CONSOLE_SESSIONS
from services.school_api.database import AuditEntry, Base, SchoolSession
from services.school_api.decisions.routes import router as decisions_router
from services.school_api.devices.routes import router as devices_router
from services.school_api.child_accounts.routes import router as child_accounts_router
from services.school_api.incidents.routes import router as incidents_router
from services.school_api.initial_reviews.routes import router as initial_reviews_router
from services.school_api.next_steps.routes import router as next_steps_router
from services.school_api.narratives.routes import router as narratives_router
from services.school_api.people.routes import router as people_router
from services.school_api.referrals.gauges import outbox_readings
from services.school_api.referrals.police_client import PoliceClient, load_credentials, new_http_client
from services.school_api.referrals.relay import Relay, stop_relay
from services.school_api.referrals.routes import router as referrals_router
from services.school_api.referrals.service import REFERRAL_QUEUED
from services.school_api.retention.routes import router as retention_router
from services.school_api.reviews.routes import router as reviews_router
from services.school_api.searches.routes import router as searches_router
from services.school_api.settings import AUDIENCE, SchoolSettings
from services.school_api.subject_access.routes import router as subject_access_router
from services.school_api.viewings.routes import router as viewings_router
from shared.checkpoints import CheckpointStore, checkpoint_forever, stop_checkpoints
from shared.clock import Clock
from shared.console.web import PREFIX as CONSOLE_PREFIX
from shared.console.web import Console
from shared.context import Runtime
from shared.db import create_engine
from shared.jwks import open_issuer_keys, prime
from shared.encryption import install_data_keys, load_key_ring
from shared.logging import configure_logging
from shared.service_app import database_gauges, declare_common_problems, new_service_app
from shared.tokens import TokenVerifier, TrustedIssuer
from shared.tracing import configure_tracing
from sqlalchemy.ext.asyncio import async_sessionmaker

SERVICE = "school_api"
DESCRIPTION = (
    "Records an incident of youth-produced sexual imagery as the UKCIS guidance asks of a school's "
    "Designated Safeguarding Lead, and hands a report to the police. Never accepts an image."
)


def create_app(
    settings: SchoolSettings | None = None,
    *,
    clock: Clock | None = None,
    police_http: httpx.AsyncClient | None = None,
) -> FastAPI:
    """`police_http` replaces the network client to the police service (tests pass the police app in-process)."""
    settings = settings or SchoolSettings()
    settings.assert_fit_for_environment()
    configure_logging(SERVICE, settings.log_level, readable=settings.readable_logs)
    configure_tracing(SERVICE, settings.otel_exporter, settings.otel_endpoint)
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
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=SchoolSession)
        idp_keys, jwks_http = open_issuer_keys(
            file=settings.idp_jwks_file,
            url=settings.idp_jwks_url,
            cache_seconds=settings.idp_jwks_cache_seconds,
            min_refresh_seconds=settings.idp_jwks_min_refresh_seconds,
        )
        await prime(idp_keys)
        verifier = TokenVerifier(audience=AUDIENCE, issuers=[TrustedIssuer(settings.idp_issuer, idp_keys)])
        http = police_http or new_http_client(
            settings.police_api_url,
            connect_timeout=settings.police_connect_timeout_seconds,
            read_timeout=settings.police_read_timeout_seconds,
        )
        police = PoliceClient(http, load_credentials(settings.police_clients_file), clock)
        relay = Relay(sessionmaker, police, settings, clock)
        app.state.runtime = Runtime(
            service=SERVICE,
            engine=engine,
            sessionmaker=sessionmaker,
            clock=clock,
            verifier=verifier,
            audit_model=AuditEntry,
            actor_from_claims=actor_from_claims,
            signals={REFERRAL_QUEUED: relay.wake},
        )
        app.state.relay = relay
        app.state.settings = settings
        relay_task = asyncio.create_task(relay.run_forever()) if settings.relay_enabled else None
        checkpoints = None
        if settings.audit_checkpoint_interval_seconds:
            store = CheckpointStore(settings.audit_checkpoint_dir, settings.signing_key_file.read_text())
            checkpoints = asyncio.create_task(
                checkpoint_forever(sessionmaker, AuditEntry, store, SERVICE, clock, settings.audit_checkpoint_interval_seconds)
            )
        try:
            yield
        finally:
            if checkpoints is not None:
                await stop_checkpoints(checkpoints)
            if relay_task is not None:
                await stop_relay(relay, relay_task)
            if police_http is None:
                await http.aclose()
            if jwks_http is not None:
                await jwks_http.aclose()
            await engine.dispose()

    app = new_service_app(
        title="School safeguarding API",
        description=DESCRIPTION,
        service=SERVICE,
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        form_prefix=CONSOLE_PREFIX + "/",
        gauges=database_gauges(outbox_readings),
    )
    routers = (
        incidents_router, people_router, devices_router, actions_router, authorisations_router, searches_router,
        viewings_router, initial_reviews_router, child_accounts_router, assessments_router, decisions_router,
        reviews_router, next_steps_router, chronology_router, referrals_router, audit_router, narratives_router,
        retention_router, subject_access_router,
    )
    for router in routers:
        app.include_router(router)
    mount_console(app, Console(CONSOLE, settings, CONSOLE_SESSIONS))
    declare_common_problems(app)
    return app
