"""Settings both services share; each service subclasses with its own env prefix."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings

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
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=65_536, ge=1024, le=10_485_760)
    db_pool_size: int = Field(default=20, ge=1, le=100)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
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
        return in_use

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
