"""Browser tests: both services as real uvicorn processes with the school's relay on (so the hand-off is
real), driven by Debian's Chromium through Playwright, with axe-core checking every page.

Chromium is the system package at /usr/bin/chromium (scripts/test.sh installs it when missing);
Playwright's own browser download is never used. Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.handoff.processes import FORCE, Services
from tests.browser.support import AccessibilityLog
from tests.processes import ServiceProcess
from tests.support import BACKEND, Keys

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
README_IMAGES = REPO / "docs" / "images"
CHECKED = AccessibilityLog()

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium (scripts/test.sh installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

# The consoles are tested through the UI; the database under them is covered on both backends by the API
# and hand-off suites, so each browser module runs on one pass of `make test` only. `make test` runs the two
# passes at once and ends with the longer, so the modules are spread to end them together: the police
# journey on SQLite, the rest on PostgreSQL, the production database (docs/testing.md).
PASS_OF_MODULE = {"test_police_console.py": "sqlite"}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == HERE and PASS_OF_MODULE.get(item.path.name, "postgresql") != BACKEND:
            item.add_marker(pytest.mark.skip(reason=f"{item.path.name} runs on the {PASS_OF_MODULE.get(item.path.name, 'postgresql')} pass"))


@dataclass
class Consoles:
    school: str
    police: str
    urn: str
    force: str
    services: Services


@pytest.fixture(scope="session")
def consoles(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[Consoles]:
    folder = tmp_path_factory.mktemp("consoles")
    running = Services(folder, keys)
    school: ServiceProcess | None = None
    try:
        running.police.env["POLICE_API_CONSOLE_DEV_SIGNING_KEY_FILE"] = str(keys.path("police-idp.pem"))
        running.police.start()
        school = running.school(console_dev_signing_key_file=str(keys.path("school-idp.pem")))
        school.start()
        yield Consoles(f"{school.url}/console", f"{running.police.url}/console", running.urn, FORCE, running)
    finally:
        if school is not None:
            school.stop()
        running.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Per module, not per session: Playwright's sync API holds an event loop on the main thread while it
    is open, and the rest of the suite (asyncio.run in migrations) must not run under it."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Shots:
    """Numbered screenshots of one test, kept as its artefacts."""

    def __init__(self, name: str) -> None:
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page: object, label: str, *, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path

    def for_readme(self, page: object, name: str) -> None:
        """The README's picture, refreshed when asked (CONSOLE_README_SCREENSHOTS=1) so that a normal run
        does not dirty the checkout."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})  # type: ignore[attr-defined]
        if os.environ.get("CONSOLE_README_SCREENSHOTS") == "1":
            README_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_IMAGES / f"{name}.png")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def context(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    made = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")  # type: ignore[attr-defined]
    made.set_default_timeout(15_000)
    try:
        yield made
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            # What the browser showed when the test failed, kept beside the journey's screenshots.
            folder = SCREENSHOTS / request.node.name
            folder.mkdir(parents=True, exist_ok=True)
            for index, page in enumerate(made.pages):  # type: ignore[attr-defined]
                page.screenshot(path=str(folder / f"failure-{index}.png"), full_page=True)
        made.close()


@pytest.fixture(scope="session")
def axe_log() -> AccessibilityLog:
    """One log for the whole run: every page checked, listed at the end of the run."""
    return CHECKED


def pytest_terminal_summary(terminalreporter: object) -> None:
    if CHECKED.pages:
        write = terminalreporter.write_line  # type: ignore[attr-defined]
        write(f"axe-core: {len(CHECKED.pages)} pages checked, {len(CHECKED.violations)} with serious or critical violations")
        for name, found in sorted(CHECKED.pages.items()):
            write(f"  {name}: {len(found)}")
