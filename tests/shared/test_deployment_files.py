"""Docker does not run on the development machines, so the compose file and Dockerfile are checked
against what the code really has: services, ports, environment names, commands and entry points."""
from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from services.police_api.cli import build_parser as police_parser
from services.police_api.settings import PoliceSettings
from services.school_api.cli import build_parser as school_parser
from services.school_api.settings import SchoolSettings
from shared.settings import REPO_ROOT

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SCRIPTS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
PARSERS = {"school-api": school_parser(), "police-api": police_parser()}
SETTINGS = {"SCHOOL_API_": SchoolSettings, "POLICE_API_": PoliceSettings}
DEFAULT_PORTS = {"school-api": 8001, "police-api": 8002}


def _subcommands(program: str) -> set[str]:
    action = next(a for a in PARSERS[program]._actions if a.dest == "command")
    return set(action.choices)


def test_compose_has_the_database_a_migration_step_both_services_and_their_proxy() -> None:
    assert set(COMPOSE["services"]) == {"postgres", "migrate", "school-api", "police-api", "proxy"}


@pytest.mark.parametrize("name", ["school-api", "police-api"])
def test_compose_runs_two_replicas_of_each_service(name: str) -> None:
    assert COMPOSE["services"][name]["deploy"]["replicas"] == 2


# Made by the operator (keys, secrets: never committed) or by the services at run time.
_MADE_AT_DEPLOYMENT = ("./deploy/secrets", "./deploy/audit-checkpoints")


def test_compose_mounts_only_files_the_repository_has() -> None:
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./") and source not in _MADE_AT_DEPLOYMENT:
                assert (REPO_ROOT / source).exists(), f"{name} mounts {source}, which the repository lacks"


@pytest.mark.parametrize("name", ["migrate", "school-api", "police-api"])
def test_every_environment_name_is_a_real_setting(name: str) -> None:
    for variable in COMPOSE["services"][name]["environment"]:
        prefix = next(p for p in SETTINGS if variable.startswith(p))
        field = variable.removeprefix(prefix).lower()
        assert field in SETTINGS[prefix].model_fields, variable


@pytest.mark.parametrize("name", ["school-api", "police-api"])
def test_service_commands_and_ports_match_the_entry_points(name: str) -> None:
    service = COMPOSE["services"][name]
    program, subcommand, *options = service["command"]
    assert program in SCRIPTS and subcommand in _subcommands(program)
    port = int(options[options.index("--port") + 1])
    assert port == DEFAULT_PORTS[name]
    # Reached through the proxy, which publishes the service's port on the host.
    assert "ports" not in service
    assert f"{port}:{port}" in COMPOSE["services"]["proxy"]["ports"]
    assert f"server {name}:{port};" in (REPO_ROOT / "deploy" / "proxy.conf").read_text()
    assert COMPOSE["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_migration_step_runs_both_real_migrate_commands() -> None:
    shell = COMPOSE["services"]["migrate"]["command"][-1]
    for program, subcommand in re.findall(r"([a-z-]+-api) (\w+)", shell):
        assert program in SCRIPTS and subcommand in _subcommands(program)
    assert {"school-api", "police-api"} <= set(re.findall(r"[a-z]+-api", shell))


def test_production_compose_leaves_no_development_default() -> None:
    environment = COMPOSE["services"]["school-api"]["environment"]
    assert environment["SCHOOL_API_ENVIRONMENT"] == "production"
    assert environment["POLICE_API_ENVIRONMENT"] == "production"
    assert all("var/" not in str(value) for value in environment.values())


def test_dockerfile_copies_only_what_exists_and_runs_a_real_command() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        assert (REPO_ROOT / source).exists(), source
    command = re.search(r'^CMD \["([^"]+)", "([^"]+)"', dockerfile, flags=re.MULTILINE)
    assert command and command.group(1) in SCRIPTS and command.group(2) in _subcommands(command.group(1))
