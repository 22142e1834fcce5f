"""Every S- rule of DOMAIN.md has a function in services/school_api/rules/ whose docstring cites it."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import services.school_api.rules as rules_package

# DOMAIN.md lives beside the repository (../shared/DOMAIN.md); the list below is its S- ids as of issue 3.
DOMAIN = Path(__file__).resolve().parents[4] / "shared" / "DOMAIN.md"
KNOWN = {"S-SEARCH", "S-IMAGE", "S-DSL", "S-RECORD", "S-IMMEDIATE", "S-FACTORS", "S-TYPOLOGY", "S-POLICE", "S-PARENTS", "S-CHILD-FIRST", "S-REVIEW"}


def domain_rule_ids() -> set[str]:
    if DOMAIN.exists():
        return set(re.findall(r"\*\*(S-[A-Z-]+)\*\*", DOMAIN.read_text())) | KNOWN
    return KNOWN


def rule_functions() -> dict[str, str]:
    """rule id -> function name, for functions named s_<rule> whose docstring starts by citing the rule."""
    found = {}
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or not name.startswith("s_"):
                continue
            rule = "S-" + name[2:].upper().replace("_", "-")
            assert (function.__doc__ or "").lstrip().startswith(rule), f"{name} must cite {rule} first in its docstring"
            found[rule] = name
    return found


def test_every_school_rule_of_the_guidance_has_one_function() -> None:
    assert domain_rule_ids() <= set(rule_functions())
