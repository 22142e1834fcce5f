"""Issue 13: the DSL's console in a real browser. An aggravated case from disclosure to the police
referral, clicked through as a DSL would, with the hand-off to the police real (relay on)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.browser.support import AccessibilityLog, choose, sign_in, sign_out

pytestmark = pytest.mark.slow

PICTURED_UPN = "B801200005001"
MISTYPED_UPN = "A801200005001"


def open_part(page, name: str) -> None:
    page.get_by_role("navigation", name="Parts of this incident").get_by_role("link", name=name).click()


def test_a_dsl_takes_an_aggravated_case_from_disclosure_to_a_delivered_police_referral(
    consoles, context, shots, axe_log: AccessibilityLog
) -> None:
    page = context.new_page()
    sign_in(page, consoles.school, "Designated Safeguarding Lead (DSL)", consoles.urn)
    page.get_by_role("heading", name="Incidents").wait_for()
    axe_log.check(page, "school: incident list")

    # Step 1: the disclosure.
    page.get_by_role("link", name="Record a new incident").click()
    axe_log.check(page, "school: new incident")
    page.get_by_role("button", name="Open the incident").click()
    page.get_by_text("There is a problem").wait_for()
    assert page.locator(".error-summary").get_by_role("link", name="Answer this question.").count() >= 1
    axe_log.check(page, "school: new incident with errors")
    choose(page, "Who disclosed it?", "The pupil, about themselves")
    choose(page, "What sort of image is it?", "Potentially illegal")
    page.get_by_role("group", name="receiving, sending or sharing").get_by_label("Sending").check()
    choose(page, "How widely has it been shared?", "Widely")
    choose(page, "Who has the device now?", "A pupil of this school")
    choose(page, "Is it a school or a personal device?", "Personal")
    choose(page, "Has the DSL been consulted?", "Yes")
    choose(page, "immediate support or protection?", "Yes")
    page.get_by_label("What was disclosed").fill("Pupil says an older pupil pressed them for an image and then threatened to share it.")
    shots.take(page, "disclosure")
    page.get_by_role("button", name="Open the incident").click()
    page.get_by_text("The incident is open. The DSL has been told.").wait_for()
    reference = page.locator(".caption").first.inner_text()
    assert re.search(rf"{consoles.urn}-\d{{4}}-\d{{4}}", reference)
    expect(page.locator(".summary-list")).to_contain_text("Widely")
    # What the guidance still expects, each step with its rule id and the page where it is done.
    expect(page.locator(".next-steps").get_by_text("S-INITIAL-REVIEW")).to_be_visible()
    expect(page.locator(".next-steps").get_by_role("link", name="Initial review and child's account").first).to_be_visible()
    # The answers not known at the disclosure, completed by the DSL (PATCH with the page's ETag).
    page.get_by_text("Complete or correct the disclosure answers").click()
    form = page.locator("#form-complete-disclosure")
    choose(form, "Are other pupils or young people involved?", "Yes")
    form.get_by_label("Where do they know the image ended up?").fill("A group chat of older pupils")
    axe_log.check(page, "school: incident summary, next steps and the disclosure answers")
    form.get_by_role("button", name="Save the disclosure answers").click()
    page.get_by_text("The disclosure answers have been saved.").wait_for()
    expect(page.locator(".summary-list")).to_contain_text("A group chat of older pupils")
    shots.take(page, "summary-and-next-steps")

    # People, with the UPN checked as it is typed.
    open_part(page, "People")
    form = page.locator("#form-add-person")
    form.get_by_label("Given name").fill("Alex")
    form.get_by_label("Family name").fill("Pictured")
    upn = form.get_by_label("Unique Pupil Number (UPN)")
    upn.fill(MISTYPED_UPN)
    page.get_by_text("The check letter does not match").wait_for()
    shots.take(page, "upn-mistyped")
    upn.fill(PICTURED_UPN)
    page.get_by_text("The check letter is right.").wait_for()
    form.get_by_label("Age in years").fill("14")
    choose(form, "Sex", "Female")
    choose(form, "Who are they?", "A pupil of this school")
    form.get_by_role("group", name="Their part in the incident").get_by_label("Pictured").check()
    form.get_by_role("group", name="Their part in the incident").get_by_label("Sender").check()
    axe_log.check(page, "school: people")
    form.get_by_role("button", name="Add the person").click()
    page.get_by_text("The person has been added.").wait_for()
    form = page.locator("#form-add-person")
    form.get_by_label("Given name").fill("Sam")
    form.get_by_label("Family name").fill("Sharer")
    form.get_by_label("Age in years").fill("16")
    choose(form, "Sex", "Male")
    choose(form, "Who are they?", "A pupil of this school")
    form.get_by_role("group", name="Their part in the incident").get_by_label("Recipient").check()
    form.get_by_role("group", name="Their part in the incident").get_by_label("Sharer").check()
    form.get_by_role("button", name="Add the person").click()
    page.get_by_text("The person has been added.").wait_for()
    expect(page.get_by_role("cell", name="Alex Pictured")).to_be_visible()

    # The device and its chain of custody; deleting the image is refused beside the step (S-IMAGE).
    open_part(page, "Devices and custody")
    form = page.locator("#form-add-device")
    choose(form, "Whose device is it?", "Personal")
    form.get_by_label("Whose is it?").select_option(label="Alex Pictured (A pupil of this school: Pictured, Sender)")
    form.get_by_label("Describe the device").fill("Mobile phone")
    form.get_by_role("button", name="Add the device").click()
    page.get_by_text("The device has been added.").wait_for()
    for step, extra in (("Confiscated", None), ("Switched off", None), ("Image deleted", None), ("Secured", "DSL office safe")):
        page.get_by_text("Record a custody step for this device").click()
        custody = page.locator("form[id^=form-custody]")
        custody.get_by_label(re.compile(step)).check()
        custody.get_by_label("By whom").fill("J Smith, DSL")
        if extra:
            custody.get_by_label("Where it is kept").fill(extra)
        custody.get_by_role("button", name="Record the step").click()
        if step == "Image deleted":
            page.get_by_text("There is a problem").wait_for()
            expect(page.locator("form[id^=form-custody] .form-group-error")).to_contain_text("S-IMAGE")
            shots.take(page, "image-deletion-refused")
            axe_log.check(page, "school: devices with a refusal")
            open_part(page, "Devices and custody")
        else:
            page.get_by_text("The custody step has been recorded.").wait_for()
    expect(page.locator(".summary-list").first).to_contain_text("Secured")
    axe_log.check(page, "school: devices")

    # Searches and viewings: the conditions are shown before anything is submitted.
    open_part(page, "Searches and viewings")
    expect(page.get_by_role("heading", name="Before you search (S-SEARCH, S-CHILD-FIRST)")).to_be_visible()
    expect(page.get_by_role("heading", name="Before anyone views an image (S-IMAGE)")).to_be_visible()
    axe_log.check(page, "school: searches and viewings")

    # The action log, taken and not taken (S-RECORD, S-DSL).
    open_part(page, "Action log")
    for kind, taken, why in (
        ("DSL informed", "Yes", None), ("Senior management informed", "Yes", None), ("Parents or carers informed", "Yes", None),
        ("Device searched", "Yes", None),
    ):
        form = page.locator("#form-record-action")
        form.get_by_label("Action").select_option(label=kind)
        choose(form, "Was this action taken?", taken)
        form.get_by_label("Who did it, or decided not to").fill("J Smith, DSL")
        if why:
            form.get_by_label("Why (required when not taken)").fill(why)
        form.get_by_role("button", name="Record the action").click()
        if kind == "Device searched":
            # A search is its own record (S-SEARCH): the log refuses it and says so beside the field.
            page.get_by_text("There is a problem").wait_for()
            expect(page.locator("#form-record-action .form-group-error")).to_contain_text("S-SEARCH")
            open_part(page, "Action log")
            form = page.locator("#form-record-action")
            form.get_by_label("Action").select_option(label="Reported to the hosting site")
            choose(form, "Was this action taken?", "No")
            form.get_by_label("Who did it, or decided not to").fill("J Smith, DSL")
            form.get_by_label("Why (required when not taken)").fill("The police will contact the platform.")
            form.get_by_role("button", name="Record the action").click()
        page.get_by_text("The action has been recorded.").wait_for()
    expect(page.get_by_role("heading", name="Actions not taken")).to_be_visible()
    shots.take(page, "action-log")
    axe_log.check(page, "school: action log")

    # The risk assessment: each tick shows the recommendation and its rules at once.
    open_part(page, "Risk assessment")
    preview = page.locator("#assessment-preview")
    page.get_by_label(re.compile("coerced, blackmailed or groomed")).check()
    preview.get_by_text("Refer to the police immediately").wait_for()
    expect(preview).to_contain_text("S-IMMEDIATE")
    expect(preview).to_contain_text("widely_distributed")  # the record says widely shared: the factor cannot be no
    choose(page, "typology", "Aggravated: youth only, intent to harm")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("There is a problem").wait_for()
    expect(page.locator("#f-assess-factors")).to_contain_text("S-FACTORS")
    axe_log.check(page, "school: risk assessment with a refusal")
    page.get_by_label("Not isolated: the image has been more widely distributed").check()
    shots.take(page, "risk-assessment")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("The risk assessment has been saved.").wait_for()
    expect(page.get_by_role("heading", name=re.compile("Latest assessment: Refer to the police immediately"))).to_be_visible()
    axe_log.check(page, "school: risk assessment")

    # The decision: managing it in school is refused beside the decision; referring is accepted.
    open_part(page, "Decision and referral")
    axe_log.check(page, "school: decision")
    choose(page, "Decision", "Manage in school")
    page.get_by_label("Reasons for the decision").fill("We think the school can handle it.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("There is a problem").wait_for()
    expect(page.locator("#f-decide-outcome")).to_contain_text("S-IMMEDIATE")
    shots.take(page, "decision-refused")
    axe_log.check(page, "school: decision with a refusal")
    choose(page, "Decision", "Refer to the police")
    choose(page, "How the police are told", "The Safer Schools (SCPO) officer")
    page.get_by_label("Reasons for the decision").fill("Coercion and threats by an older pupil: an immediate referral.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The decision has been recorded.").wait_for()

    # While the relay delivers the referral: the parts of the record added later, one visit each.
    open_part(page, "Observations")
    form = page.locator("#form-add-observation")
    form.get_by_label("What you saw or heard").fill("A member of staff saw the phone passed round at lunch.")
    form.get_by_role("button", name="Add the observation").click()
    page.get_by_text("The observation has been added.").wait_for()
    expect(page.get_by_role("cell", name="A member of staff saw the phone passed round at lunch.")).to_be_visible()
    shots.take(page, "observations")
    axe_log.check(page, "school: observations")
    open_part(page, "Initial review and child's account")
    axe_log.check(page, "school: initial review and the child's account")
    open_part(page, "People")
    page.get_by_role("link", name="Alex Pictured").click()
    page.get_by_role("heading", name="Change this person's details").wait_for()
    axe_log.check(page, "school: a person's details")
    open_part(page, "Audit log")
    expect(page.get_by_role("cell", name="incident.update").first).to_be_visible()
    axe_log.check(page, "school: audit log")
    open_part(page, "Decision and referral")

    # The relay delivers the referral; the page shows the police reference once it has.
    for _ in range(60):
        if page.get_by_text("Delivered to the police").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_text("Delivered to the police")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(rf"{consoles.force}-\d{{4}}-\d+"))
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)  # decided: no second decision offered
    shots.for_readme(page, "school-console")
    axe_log.check(page, "school: decision and referral")

    open_part(page, "Chronology")
    # In the order things happened and in words; the PDF comes through the console with the session cookie.
    expect(page.get_by_role("cell", name=re.compile("Disclosure: incident "))).to_be_visible()
    expect(page.get_by_text("Disclosed by:").first).to_be_visible()
    axe_log.check(page, "school: chronology")
    pdf = page.request.get(urljoin(page.url, page.get_by_role("link", name="Download the chronology as a PDF").get_attribute("href") or ""))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    open_part(page, "Review and closure")
    axe_log.check(page, "school: review and closure")
    sign_out(page)
    axe_log.check(page, "sign-in (school)")
    serious = {name: found for name, found in axe_log.violations.items() if name.startswith(("school", "sign-in"))}
    assert serious == {}, serious
