"""Issue 13: the pages the two journeys do not reach (other roles, errors, messages), checked with
axe-core like every journey page, and both consoles at 320 px wide (WCAG 1.4.10 reflow)."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.support import AccessibilityLog, choose, sign_in, sign_out

pytestmark = pytest.mark.slow


def fits(page, width: int = 320) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_every_other_page_of_both_consoles_has_no_serious_accessibility_violation(consoles, context, axe_log: AccessibilityLog) -> None:
    page = context.new_page()
    page.goto(f"{consoles.school}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Choose the role to sign in as.").first.wait_for()
    axe_log.check(page, "sign-in with errors (school)")

    # A member of staff opens an incident and sees only its reference.
    sign_in(page, consoles.school, "Member of staff", consoles.urn)
    choose(page, "Who disclosed it?", "Another pupil")
    page.get_by_role("button", name="Open the incident").click()
    page.get_by_text("The incident is recorded and the DSL has been told.").wait_for()
    axe_log.check(page, "school: incident opened (staff)")
    sign_out(page)

    # The headteacher reads the record and authorises.
    sign_in(page, consoles.school, "Headteacher", consoles.urn)
    page.get_by_role("table").get_by_role("link").first.click()
    axe_log.check(page, "school: incident summary (headteacher)")
    page.get_by_role("navigation", name="Parts of this incident").get_by_role("link", name="Searches and viewings").click()
    expect(page.locator("#form-authorise")).to_be_visible()
    axe_log.check(page, "school: searches and viewings (headteacher)")
    page.goto(f"{consoles.school}/incidents/{uuid.uuid4()}")
    page.get_by_role("heading", name="Not found").wait_for()
    axe_log.check(page, "school: not found")
    sign_out(page)

    sign_in(page, consoles.police, "CID", consoles.force)
    axe_log.check(page, "police: incident list (CID)")
    page.goto(f"{consoles.police}/incidents/{uuid.uuid4()}")
    axe_log.check(page, "police: not found")
    sign_out(page)

    serious = {name: found for name, found in axe_log.violations.items()}
    assert serious == {}, serious


def test_both_consoles_work_at_320_pixels_wide(consoles, browser, shots, axe_log: AccessibilityLog) -> None:
    narrow = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    try:
        page = narrow.new_page()
        sign_in(page, consoles.school, "Designated Safeguarding Lead (DSL)", consoles.urn)
        for path, name in (("/incidents", "incident list"), ("/incidents/new", "new incident")):
            page.goto(consoles.school + path)
            assert fits(page), path
            axe_log.check(page, f"school at 320 px: {name}")
        choose(page, "Who disclosed it?", "A parent or carer")
        page.get_by_role("button", name="Open the incident").click()
        page.get_by_text("The incident is open.").wait_for()
        incident = page.url.split("?")[0].removeprefix(consoles.school.removesuffix("/console"))
        for part in ("", "/observations", "/people", "/devices", "/meetings", "/assessment", "/decision", "/chronology", "/audit"):
            page.goto(consoles.school.removesuffix("/console") + incident + part)
            assert fits(page), part
            axe_log.check(page, f"school at 320 px: incident{part or ' summary'}")
            shots.take(page, f"narrow{part.replace('/', '-') or '-summary'}")
        sign_in(page, consoles.police, "Supervisor", consoles.force)
        assert fits(page)
        axe_log.check(page, "police at 320 px: incident list")
        for path, name in (("/compliance", "compliance"), ("/audit", "audit log")):
            page.goto(consoles.police + path)
            assert fits(page), path
            axe_log.check(page, f"police at 320 px: {name}")
    finally:
        narrow.close()
    serious = {name: found for name, found in axe_log.violations.items() if "320 px" in name}
    assert serious == {}, serious
