"""School service settings: environment variables prefixed `SCHOOL_API_` (README has the table)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_VAR_DIR, ServiceSettings, is_development_key

AUDIENCE = "school-api"


class SchoolSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHOOL_API_", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{DEV_VAR_DIR / 'school_api.sqlite3'}"
    # The identity provider that signs staff and MIS tokens (ES256 only).
    idp_issuer: str = "dev-school-idp"
    idp_jwks_file: Path = DEV_VAR_DIR / "keys" / "dev-school-idp.jwks.json"
    audit_checkpoint_dir: Path = DEV_VAR_DIR / "audit-checkpoints" / "school_api"
    # Development and test only: the console's sign-in page signs tokens with this key, as `mint-token` does.
    console_dev_signing_key_file: Path = DEV_VAR_DIR / "keys" / "dev-school-idp.pem"
    # Signs audit checkpoints.
    signing_key_file: Path = DEV_VAR_DIR / "keys" / "school-api-signing.pem"
    data_keys_file: Path = DEV_VAR_DIR / "keys" / "school-api-data-keys.json"
    police_api_url: str = "http://127.0.0.1:8002"
    # JSON object: school URN -> {"client_id": ..., "client_secret": ...} for the police token endpoint.
    police_clients_file: Path = DEV_VAR_DIR / "police-clients.json"
    police_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    police_read_timeout_seconds: float = Field(default=10.0, gt=0)
    relay_enabled: bool = True
    relay_idle_poll_seconds: float = Field(default=5.0, gt=0)
    relay_lease_seconds: float = Field(default=30.0, gt=0)
    relay_backoff_base_seconds: float = Field(default=1.0, gt=0)
    relay_backoff_cap_seconds: float = Field(default=300.0, gt=0)
    relay_batch_size: int = Field(default=20, ge=1, le=500)
    # How long one long poll of the police status feed is held open (the police hold it at most 55 s).
    # A change arrives as it commits whatever this is; it sets how often an idle school asks again.
    feed_wait_seconds: float = Field(default=50.0, gt=0, le=55)

    def development_defaults_in_use(self) -> list[str]:
        in_use = super().development_defaults_in_use()
        for name in ("signing_key_file", "data_keys_file", "police_clients_file"):
            if is_development_key(getattr(self, name)):
                in_use.append(f"{name} (a development file under var/)")
        if self.idp_issuer.startswith("dev-"):
            in_use.append("idp_issuer (the development issuer)")
        return in_use
