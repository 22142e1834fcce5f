"""Every rule id of the guidance that the docs name has its implementation in the rules package, for both
services. The ids are read from the workflow docs in this repository (DOMAIN.md lives outside it, so a fresh
clone may not have it); a missing doc, or a doc that names no ids, fails the test instead of falling back to
a list kept here.

- School (S-): a function `s_<rule>` in services/school_api/rules/ whose docstring starts by citing the rule.
- Police (P-): the rule's row in the "Rule ids and where they live" table of docs/police-workflow.md names
  its functions (`module.name`, then bare names of the same module); each must exist in
  services/police_api/rules/, and at least one of them must cite the rule in its docstring.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import services.police_api.rules as police_rules
import services.school_api.rules as school_rules

DOCS = Path(__file__).resolve().parents[3] / "docs"
SCHOOL_DOC = DOCS / "school-workflow.md"
POLICE_DOC = DOCS / "police-workflow.md"
POLICE_TABLE_HEADING = "## Rule ids and where they live"
# Ids that were implemented when this test was written: a doc that stops naming one has lost it.
SCHOOL_FLOOR = {"S-SEARCH", "S-IMAGE", "S-DSL", "S-RECORD", "S-IMMEDIATE", "S-FACTORS", "S-TYPOLOGY", "S-POLICE", "S-PARENTS", "S-CHILD-FIRST", "S-REVIEW"}
POLICE_FLOOR = {
    "P-101", "P-INCIDENT", "P-PPU", "P-CRIME", "P-OFFENCES", "P-REPEAT", "P-ROUTE", "P-FULL-INVESTIGATION",
    "P-OUTCOME21", "P-OUTCOME22", "P-NO-CRIMINALISE", "P-NOTICE",
}


def read_doc(path: Path) -> str:
    assert path.exists(), f"{path} is missing: the rule ids are read from it"
    return path.read_text()


def school_rule_ids() -> set[str]:
    ids = set(re.findall(r"\b(S-[A-Z]+(?:-[A-Z]+)*)\b", read_doc(SCHOOL_DOC)))
    assert ids, f"{SCHOOL_DOC} names no S- rule ids"
    return ids


def school_rule_functions() -> dict[str, str]:
    """rule id -> function name, for functions named s_<rule> whose docstring starts by citing the rule."""
    found = {}
    for module_info in pkgutil.iter_modules(school_rules.__path__):
        module = importlib.import_module(f"{school_rules.__name__}.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or not name.startswith("s_"):
                continue
            rule = "S-" + name[2:].upper().replace("_", "-")
            assert (function.__doc__ or "").lstrip().startswith(rule), f"{name} must cite {rule} first in its docstring"
            found[rule] = name
    return found


def police_rule_table() -> dict[str, list[str]]:
    """rule id -> the `module.name` entries of its row in the police rule table."""
    text = read_doc(POLICE_DOC)
    assert POLICE_TABLE_HEADING in text, f"{POLICE_DOC} has no '{POLICE_TABLE_HEADING}' table"
    table = text.split(POLICE_TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.fullmatch(r"P-[A-Z0-9]+(?:-[A-Z0-9]+)*", cells[0]):
            continue
        module = None
        names = []
        # Only the function column; a parenthesis there is a comment, not a name.
        for entry in re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", cells[1])):
            if "." in entry:
                module, entry = entry.split(".", 1)
            assert module is not None, f"{cells[0]}: '{entry}' names no module"
            names.append(f"{module}.{entry}")
        rows[cells[0]] = names
    assert rows, f"the table under '{POLICE_TABLE_HEADING}' lists no P- rule"
    return rows


def police_ids_cited_in_rules() -> set[str]:
    cited = set()
    for module_info in pkgutil.iter_modules(police_rules.__path__):
        module = importlib.import_module(f"{police_rules.__name__}.{module_info.name}")
        cited |= set(re.findall(r"\b(P-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b", inspect.getsource(module)))
    return cited


def test_every_school_rule_the_docs_name_has_one_function() -> None:
    ids = school_rule_ids()
    assert SCHOOL_FLOOR <= ids, f"the school docs no longer name {sorted(SCHOOL_FLOOR - ids)}"
    assert ids <= set(school_rule_functions())


def test_every_police_rule_the_docs_name_is_listed_in_the_rule_table() -> None:
    table = police_rule_table()
    named = set(re.findall(r"\b(P-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b", read_doc(POLICE_DOC)))
    assert POLICE_FLOOR <= set(table), f"the police rule table no longer lists {sorted(POLICE_FLOOR - set(table))}"
    assert named == set(table), f"named in the docs but not in the table: {sorted(named - set(table))}"


def test_every_rule_the_police_rules_cite_is_in_the_docs_table() -> None:
    missing = police_ids_cited_in_rules() - set(police_rule_table())
    assert not missing, f"the police rules cite {sorted(missing)}, which the docs' rule table does not list"


@pytest.mark.parametrize("rule", sorted(police_rule_table()))
def test_every_police_rule_has_its_functions_in_the_rules_package_citing_it(rule: str) -> None:
    citing = []
    for qualified in police_rule_table()[rule]:
        module_name, name = qualified.split(".", 1)
        module = importlib.import_module(f"{police_rules.__name__}.{module_name}")
        assert hasattr(module, name), f"{rule}: {qualified} is not in services/police_api/rules/"
        member = getattr(module, name)
        if callable(member) and rule in (member.__doc__ or ""):
            citing.append(qualified)
    assert citing, f"{rule}: none of {police_rule_table()[rule]} cites {rule} in its docstring"
