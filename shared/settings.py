"""Settings both services share; each service subclasses with its own env prefix."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings

from shared.tracing import TraceExporter

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_VAR_DIR = REPO_ROOT / "var"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class DevelopmentDefaultInProduction(RuntimeError):
    """A production deployment still uses a setting meant only for a developer's machine."""


class ServiceSettings(BaseSettings):
    environment: Environment = Environment.development
    database_url: str
    # The key ring that encrypts names, dates of birth and narrative text at rest (shared.encryption).
    data_keys_file: Path
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=65_536, ge=1024, le=10_485_760)
    db_pool_size: int = Field(default=20, ge=1, le=100)
    # How long a request waits for a free connection before it is answered 503 with Retry-After.
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # How long a SQLite writer waits for the database lock before it is answered 503 with Retry-After.
    db_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The identity provider's key set (JWKS): from its URL when set (production), else from idp_jwks_file.
    idp_jwks_file: Path
    idp_jwks_url: str | None = None
    idp_jwks_cache_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # At most one fetch per this many seconds, however many unknown kids arrive.
    idp_jwks_min_refresh_seconds: float = Field(default=30.0, ge=0, le=3600)
    # Signed audit checkpoints: where they are written and how often the API process writes one (0: never).
    audit_checkpoint_dir: Path
    audit_checkpoint_interval_seconds: float = Field(default=3600.0, ge=0)
    # Traces of a referral across both services (shared/tracing.py); off by default.
    otel_exporter: TraceExporter = TraceExporter.none
    otel_endpoint: str | None = None
    # The console (docs/console.md): a session ends after this long idle, and at the latest after the maximum.
    console_session_idle_minutes: int = Field(default=30, ge=1, le=480)
    console_session_max_hours: int = Field(default=8, ge=1, le=24)
    # Production sign-in: OpenID Connect authorization code with PKCE against the organisation's identity
    # provider. Either the discovery URL or both endpoints; the access token it issues must carry the same
    # claims the API checks (role and school_urn / force_code) and this service's audience.
    oidc_discovery_url: str | None = None
    oidc_authorization_endpoint: str | None = None
    oidc_token_endpoint: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_redirect_uri: str | None = None
    oidc_scope: str = "openid"

    def development_defaults_in_use(self) -> list[str]:
        """Names of settings still at a development default; each service adds its own."""
        in_use = []
        if self.database_url.startswith("sqlite"):
            in_use.append("database_url (SQLite is for development only)")
        if self.idp_jwks_url is None and is_development_key(self.idp_jwks_file):
            in_use.append("idp_jwks_file (a development file under var/; set idp_jwks_url)")
        if self.idp_jwks_url is not None and not self.idp_jwks_url.startswith("https://"):
            in_use.append("idp_jwks_url (keys must be fetched over https)")
        if is_development_key(self.audit_checkpoint_dir):
            in_use.append("audit_checkpoint_dir (a development folder under var/)")
        return in_use

    @property
    def readable_logs(self) -> bool:
        """Plain log lines for a person at a terminal in development; JSON lines for a log pipeline otherwise."""
        return self.environment is Environment.development

    def assert_fit_for_environment(self) -> None:
        if self.environment is Environment.development or self.environment is Environment.test:
            return
        in_use = self.development_defaults_in_use()
        if in_use:
            raise DevelopmentDefaultInProduction(
                f"refusing to start in {self.environment.value} with development defaults: " + "; ".join(in_use)
            )


def is_development_key(path: Path) -> bool:
    return path.resolve().is_relative_to(DEV_VAR_DIR.resolve())
