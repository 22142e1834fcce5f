"""A production setting left at a development default refuses to start outside development mode."""
from __future__ import annotations

from pathlib import Path

import pytest

from services.police_api.app import create_app as create_police_app
from services.police_api.settings import PoliceSettings
from services.school_api.app import create_app as create_school_app
from services.school_api.settings import SchoolSettings
from shared.settings import DevelopmentDefaultInProduction

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


def test_school_service_refuses_production_with_development_keys_and_sqlite() -> None:
    with pytest.raises(DevelopmentDefaultInProduction) as refused:
        create_school_app(SchoolSettings(environment="production"))
    message = str(refused.value)
    for setting in (
        "database_url", "idp_jwks_file", "signing_key_file", "data_keys_file", "police_clients_file", "idp_issuer",
        "audit_checkpoint_dir",
    ):
        assert setting in message


def test_police_service_refuses_production_with_a_development_signing_key_or_data_key_ring(tmp_path: Path) -> None:
    settings = PoliceSettings(
        environment="production",
        database_url="postgresql+asyncpg://police@db/police",
        idp_issuer="https://idp.force.example",
        idp_jwks_url="https://idp.force.example/.well-known/jwks.json",
        audit_checkpoint_dir=tmp_path / "checkpoints",
    )
    with pytest.raises(DevelopmentDefaultInProduction, match="signing_key_file") as refused:
        create_police_app(settings)
    assert "data_keys_file" in str(refused.value)


def test_production_settings_without_development_defaults_are_accepted(tmp_path: Path) -> None:
    settings = PoliceSettings(
        environment="production",
        database_url="postgresql+asyncpg://police@db/police",
        idp_issuer="https://idp.force.example",
        idp_jwks_url="https://idp.force.example/.well-known/jwks.json",
        signing_key_file=tmp_path / "signing.pem",
        audit_checkpoint_dir=tmp_path / "checkpoints",
        data_keys_file=tmp_path / "data-keys.json",
    )
    settings.assert_fit_for_environment()


def test_production_refuses_a_key_set_fetched_without_tls(tmp_path: Path) -> None:
    settings = PoliceSettings(
        environment="production",
        database_url="postgresql+asyncpg://police@db/police",
        idp_issuer="https://idp.force.example",
        idp_jwks_url="http://idp.force.example/.well-known/jwks.json",
        signing_key_file=tmp_path / "signing.pem",
        audit_checkpoint_dir=tmp_path / "checkpoints",
    )
    with pytest.raises(DevelopmentDefaultInProduction, match="idp_jwks_url"):
        settings.assert_fit_for_environment()


def test_settings_are_read_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOL_API_FEED_WAIT_SECONDS", "15")
    monkeypatch.setenv("POLICE_API_CLIENT_TOKEN_LIFETIME_SECONDS", "120")
    assert SchoolSettings().feed_wait_seconds == 15
    assert PoliceSettings().client_token_lifetime_seconds == 120
