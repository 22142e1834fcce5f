"""requirements.lock pins every dependency pyproject.toml names, at a version pyproject.toml allows (issue 15)."""
from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from shared.settings import REPO_ROOT

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
DECLARED = [Requirement(line) for line in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]]
PINS = {
    canonicalize_name(name): version
    for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)$", (REPO_ROOT / "requirements.lock").read_text(), re.MULTILINE)
}


@pytest.mark.parametrize("requirement", DECLARED, ids=lambda r: r.name)
def test_every_declared_dependency_is_pinned_at_a_version_it_allows(requirement: Requirement) -> None:
    name = canonicalize_name(requirement.name)
    assert name in PINS, f"{requirement.name} is not in requirements.lock: run `make lock`"
    assert requirement.specifier.contains(PINS[name], prereleases=True), f"{name}=={PINS[name]} is outside {requirement.specifier}"


def test_every_install_uses_the_lock_with_the_same_pinned_installer() -> None:
    makefile, dockerfile = (REPO_ROOT / "Makefile").read_text(), (REPO_ROOT / "Dockerfile").read_text()
    assert "-c requirements.lock" in makefile and "-c requirements.lock" in dockerfile
    installer_pins = [re.findall(r"\buv==[0-9][0-9.]*", text) for text in (makefile, dockerfile)]
    assert installer_pins[0] and set(installer_pins[0]) == set(installer_pins[1]), installer_pins
    # Without it a process started with PYTHONDONTWRITEBYTECODE compiles every library at every start.
    assert "--compile-bytecode" in makefile and "--compile-bytecode" in dockerfile
