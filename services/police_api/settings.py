"""Police service settings: environment variables prefixed `POLICE_API_` (README has the table)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.police_api.routing.vocabulary import PoliceRank
from shared.settings import DEV_VAR_DIR, ServiceSettings, is_development_key

AUDIENCE = "police-api"


class PoliceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLICE_API_", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{DEV_VAR_DIR / 'police_api.sqlite3'}"
    # The force identity provider that signs officers' tokens (ES256 only).
    idp_issuer: str = "dev-police-idp"
    idp_jwks_file: Path = DEV_VAR_DIR / "keys" / "dev-police-idp.jwks.json"
    audit_checkpoint_dir: Path = DEV_VAR_DIR / "audit-checkpoints" / "police_api"
    # Development and test only: the console's sign-in page signs tokens with this key, as `mint-token` does.
    console_dev_signing_key_file: Path = DEV_VAR_DIR / "keys" / "dev-police-idp.pem"
    # This service's own key: signs school-client tokens and audit checkpoints.
    signing_key_file: Path = DEV_VAR_DIR / "keys" / "police-api-signing.pem"
    data_keys_file: Path = DEV_VAR_DIR / "keys" / "police-api-data-keys.json"
    client_token_issuer: str = "police-api"
    client_token_lifetime_seconds: int = Field(default=300, ge=60, le=3600)
    token_failure_limit: int = Field(default=5, ge=1, le=100)
    token_failure_window_seconds: int = Field(default=300, ge=10, le=86_400)
    idempotency_retention_days: int = Field(default=30, ge=30, le=3650)
    idempotency_lock_seconds: int = Field(default=60, ge=5, le=3600)
    # P-FULL-INVESTIGATION: the lowest rank that may clear or override a finding, per force code (JSON,
    # e.g. {"52": "superintendent"}); a force not named uses the default.
    finding_decision_min_rank: PoliceRank = PoliceRank.inspector
    finding_decision_min_rank_by_force: dict[str, PoliceRank] = Field(default_factory=dict)

    def finding_decision_rank_for(self, force_code: str) -> PoliceRank:
        return self.finding_decision_min_rank_by_force.get(force_code, self.finding_decision_min_rank)

    def development_defaults_in_use(self) -> list[str]:
        in_use = super().development_defaults_in_use()
        for name in ("signing_key_file", "data_keys_file"):
            if is_development_key(getattr(self, name)):
                in_use.append(f"{name} (a development file under var/)")
        if self.idp_issuer.startswith("dev-"):
            in_use.append("idp_issuer (the development issuer)")
        return in_use
