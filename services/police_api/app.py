"""create_app(): the police service with its routers, middleware and lifespan."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.police_api.console.routes import mount as mount_console
from services.police_api.console.spec import SPEC as CONSOLE
from services.police_api.access import ClaimsReader
from services.police_api.audit.routes import router as audit_router
from services.police_api.clients.routes import router as clients_router
from services.police_api.database import AuditEntry, PoliceSession
from services.police_api.compliance.routes import router as compliance_router
from services.police_api.crimes.routes import router as crimes_router
from services.police_api.incidents.routes import router as incidents_router
from services.police_api.outcomes.routes import router as outcomes_router
from services.police_api.persons.routes import router as persons_router
from services.police_api.ppu.routes import router as ppu_router
from services.police_api.reports.routes import router as reports_router
from services.police_api.routing.routes import router as routing_router
from services.police_api.settings import AUDIENCE, PoliceSettings
from shared.console.web import PREFIX as CONSOLE_PREFIX
from shared.console.web import Console
from shared.clock import Clock
from shared.context import Runtime
from shared.db import create_engine
from shared.logging import configure_logging
from shared.service_app import declare_common_problems, new_service_app
from shared.tokens import TokenIssuer, TokenVerifier, TrustedIssuer, public_key_pem_from_private

SERVICE = "police_api"
DESCRIPTION = (
    "Receives schools' reports of youth-produced sexual imagery and carries each through the "
    "police procedure: incident, NCRS crime recording, PPU notification, routing and outcome."
)
TOKEN_PATH = "/oauth/token"


def create_app(settings: PoliceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or PoliceSettings()
    settings.assert_fit_for_environment()
    configure_logging(SERVICE, settings.log_level)
    clock = clock or Clock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url, pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout_seconds
        )
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=PoliceSession)
        signing_key = settings.signing_key_file.read_text()
        signer = TokenIssuer(settings.client_token_issuer, signing_key, key_id="police-api-1")
        verifier = TokenVerifier(
            audience=AUDIENCE,
            issuers=[
                TrustedIssuer(settings.idp_issuer, settings.idp_public_key_file.read_text()),
                TrustedIssuer(settings.client_token_issuer, public_key_pem_from_private(signing_key.encode()).decode()),
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
        app.state.settings = settings
        try:
            yield
        finally:
            await engine.dispose()

    app = new_service_app(
        title="Police liaison API",
        description=DESCRIPTION,
        service=SERVICE,
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        form_paths=frozenset({TOKEN_PATH}),
        form_prefix=CONSOLE_PREFIX + "/",
    )
    for router in (
        clients_router,
        reports_router,
        incidents_router,
        persons_router,
        crimes_router,
        ppu_router,
        routing_router,
        outcomes_router,
        compliance_router,
        audit_router,
    ):
        app.include_router(router)
    mount_console(app, Console(CONSOLE, settings))
    declare_common_problems(app)
    return app
