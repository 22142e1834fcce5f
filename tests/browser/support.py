"""What a person does in the consoles, step by step, and the accessibility check of every page."""
from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
SERIOUS = {"serious", "critical"}


class AccessibilityLog:
    """Every distinct page the journeys visit, with its serious or critical axe-core violations."""

    def __init__(self) -> None:
        self.pages: dict[str, list[str]] = {}

    def check(self, page: Any, name: str) -> None:
        # A click that navigates returns once the new page has committed, not once it is parsed:
        # checked any earlier, axe would see half a page.
        page.wait_for_load_state("load")
        results = AXE.run(page)
        found = [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"] if v.get("impact") in SERIOUS]
        self.pages.setdefault(name, [])
        self.pages[name] += found

    @property
    def violations(self) -> dict[str, list[str]]:
        return {name: found for name, found in self.pages.items() if found}


def sign_in(page: Any, console: str, role_label: str, tenant: str) -> None:
    page.goto(f"{console}/sign-in")
    page.get_by_label(role_label, exact=True).check()
    page.get_by_label(re.compile("School URN|Force code")).fill(tenant)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()


def choose(page: Any, group: str, option: str) -> None:
    """A radio answer within the fieldset whose legend is `group`."""
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()
