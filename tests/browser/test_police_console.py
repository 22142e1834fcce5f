"""Issue 13: the officers' console in a real browser. An experimental case the school referred anyway
arrives through the real relay in the intake queue, and is taken to Outcome 21 as each officer would:
triage, crime, route, restorative meeting and education, PPU acknowledgement, proposal, finalisation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import AccessibilityLog, choose, sign_in, sign_out

pytestmark = pytest.mark.slow


def school_part(page, name: str) -> None:
    page.get_by_role("navigation", name="Parts of this incident").get_by_role("link", name=name).click()


def refer_an_experimental_case_anyway(page, consoles) -> str:
    """The DSL's side: a romantic exchange between two pupils, managed-in-school material, referred anyway."""
    sign_in(page, consoles.school, "Designated Safeguarding Lead (DSL)", consoles.urn)
    page.get_by_role("link", name="Record a new incident").click()
    choose(page, "Who disclosed it?", "The pupil, about themselves")
    choose(page, "What sort of image is it?", "Potentially illegal")
    page.get_by_role("group", name="receiving, sending or sharing").get_by_label("Sending").check()
    choose(page, "How widely has it been shared?", "A few people")
    page.get_by_role("button", name="Open the incident").click()
    page.get_by_text("The incident is open.").wait_for()
    school_part(page, "People")
    for given, family, roles in (("Robin", "Sender", ("Pictured", "Sender")), ("Jo", "Partner", ("Recipient", "Possessor"))):
        form = page.locator("#form-add-person")
        form.get_by_label("Given name").fill(given)
        form.get_by_label("Family name").fill(family)
        form.get_by_label("Age in years").fill("15")
        choose(form, "Who are they?", "A pupil of this school")
        for role in roles:
            form.get_by_role("group", name="Their part in the incident").get_by_label(role).check()
        form.get_by_role("button", name="Add the person").click()
        page.get_by_text("The person has been added.").wait_for()
    school_part(page, "Action log")
    for kind in ("DSL informed", "Senior management informed"):
        form = page.locator("#form-record-action")
        form.get_by_label("Action").select_option(label=kind)
        choose(form, "Was this action taken?", "Yes")
        form.get_by_label("Who did it, or decided not to").fill("J Smith, DSL")
        form.get_by_role("button", name="Record the action").click()
        page.get_by_text("The action has been recorded.").wait_for()
    school_part(page, "Risk assessment")
    choose(page, "typology", "Experimental: romantic")
    page.locator("#assessment-preview").get_by_text("Manage in school").wait_for()
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("The risk assessment has been saved.").wait_for()
    school_part(page, "Decision and referral")
    choose(page, "Decision", "Refer to the police")
    choose(page, "How the police are told", "The Safer Schools (SCPO) officer")
    page.get_by_label("Reasons for the decision").fill("Experimental, but the parents asked for the police to speak to both pupils.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The decision has been recorded.").wait_for()
    for _ in range(60):
        if page.get_by_text("Delivered to the police").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    text = page.locator("main").inner_text()
    reference = re.search(rf"{consoles.force}-\d{{4}}-\d+", text)
    assert reference, text
    return reference.group(0)


def test_an_experimental_case_referred_anyway_goes_from_the_intake_queue_to_outcome_21(
    consoles, context, shots, axe_log: AccessibilityLog
) -> None:
    school = context.new_page()
    police_reference = refer_an_experimental_case_anyway(school, consoles)
    page = context.new_page()

    # The call handler: the school's referral is in the intake queue; triage it.
    sign_in(page, consoles.police, "Call handler (101)", consoles.force)
    page.get_by_role("link", name="Intake queue").click()
    row = page.get_by_role("row").filter(has_text=police_reference)
    expect(row).to_contain_text("Not triaged")
    axe_log.check(page, "police: intake queue")
    row.get_by_role("link", name=police_reference).click()
    choose(page, "Triage priority", "Standard")
    axe_log.check(page, "police: report and triage")
    page.get_by_role("button", name="Save the triage").click()
    page.get_by_text("The triage has been saved.").wait_for()
    page.get_by_role("link", name="Open the police incident").click()
    expect(page.locator("[data-deadline]").first).to_have_text(re.compile("left$"))  # the NCRS clock counts down
    axe_log.check(page, "police: incident and persons")
    sign_out(page)

    # The SCPO: the crime, the route, the restorative meeting and education, the victim's parent told.
    sign_in(page, consoles.police, "Safer Schools officer (SCPO)", consoles.force)
    page.get_by_role("link", name=police_reference).click()
    shots.for_readme(page, "police-console")
    incident_url = page.url.split("?")[0]
    page.get_by_role("link", name="Crimes and outcomes").click()
    form = page.locator("#form-record-crime")
    form.get_by_label("Victim", exact=True).select_option(label=_option(form, "victim_person_id", "Robin Sender"))
    form.get_by_label("Offence (Home Office code)").select_option(value="86/2")
    axe_log.check(page, "police: crimes")
    form.get_by_role("button", name="Record the crime").click()
    page.get_by_text("The crime has been recorded.").wait_for()
    expect(page.locator("main")).to_contain_text("on time")

    page.get_by_role("link", name="Assessment and route").click()
    axe_log.check(page, "police: assessment and route")
    choose(page, "Route", "SCPO: decision not to prosecute, restorative approach and education")
    page.get_by_label("Reason for the decision not to prosecute").fill("Experimental and consensual; no aggravating features.")
    page.get_by_role("button", name="Take this route").click()
    page.get_by_text("The route has been taken.").wait_for()

    page.get_by_role("link", name="Restorative approach and education").click()
    axe_log.check(page, "police: restorative approach and education")
    form = page.locator("#form-meeting")
    form.locator("[name='attendees.0.person_id']").select_option(label=_option(form, "attendees.0.person_id", "Robin Sender"))
    form.locator("[name='attendees.0.description']").fill("victim")
    form.locator("[name='attendees.1.person_id']").select_option(label=_option(form, "attendees.1.person_id", "Jo Partner"))
    form.locator("[name='attendees.1.description']").fill("person involved")
    form.locator("[name='attendees.2.description']").fill("head of year")
    form.get_by_label("Outcome of the meeting").fill("Both understood the harm; the image was deleted in the officer's presence.")
    form.get_by_role("button", name="Record the meeting").click()
    page.get_by_text("The restorative meeting has been recorded.").wait_for()
    for kind, person in (("An assembly", None), ("A specific input to the victim", "Robin Sender"),
                         ("A specific input to the offender", "Jo Partner")):
        form = page.locator("#form-education")
        choose(form, "Kind of education", kind)
        if person:
            form.get_by_label("Person").select_option(label=_option(form, "Person", person))
        form.get_by_label("Description").fill("Sharing nudes: the law and consent.")
        form.get_by_role("button", name="Record the education").click()
        page.get_by_text("The education has been recorded.").wait_for()

    page.get_by_role("link", name="Crimes and outcomes").click()
    page.get_by_text("Record contact with the victim").click()
    form = page.locator("form[id^=form-victim-contact]")
    choose(form, "Who was told of the outcome", "A parent or guardian")
    form.get_by_label("How").select_option(label="Telephone")
    form.get_by_role("button", name="Record the contact").click()
    page.get_by_text("The contact has been recorded.").wait_for()

    # Proposing Outcome 21 before the PPU has acknowledged: every unmet condition is named.
    form = page.locator("form[id^=form-propose]")
    form.get_by_label("Outcome").select_option(value="21")
    form.get_by_role("button", name="Propose the outcome").click()
    page.get_by_text("There is a problem").wait_for()
    summary = page.locator(".error-summary").inner_text()
    assert "P-PPU" in summary and "P-OUTCOME21" in summary
    shots.take(page, "outcome-21-refused")
    axe_log.check(page, "police: crimes with a refusal")
    sign_out(page)

    # The PPU acknowledges every child's notification (P-PPU).
    sign_in(page, consoles.police, "Public Protection Unit (PPU)", consoles.force)
    page.get_by_role("link", name="PPU queue").click()
    axe_log.check(page, "police: PPU queue")
    for _ in range(2):
        page.get_by_role("row").filter(has_text=police_reference).get_by_role("button", name="Acknowledge").first.click()
        page.get_by_text("The notification has been acknowledged.").wait_for()
    expect(page.get_by_role("row").filter(has_text=police_reference).get_by_role("button", name="Acknowledge")).to_have_count(0)
    # The PPU's note from children's social care, on the notification's own page (never shown to the school).
    page.get_by_role("row").filter(has_text=police_reference).first.get_by_role("link", name=re.compile("updates$")).click()
    form = page.locator("#form-ppu-update")
    choose(form, "From", "Children's social care")
    form.get_by_label("Update", exact=True).fill("Strategy discussion held; no further action by social care.")
    form.get_by_role("button", name="Add the update").click()
    page.get_by_text("The update has been added.").wait_for()
    shots.take(page, "ppu-notification")
    axe_log.check(page, "police: PPU notification")
    sign_out(page)

    # The SCPO proposes Outcome 21 with the public-interest rationale.
    sign_in(page, consoles.police, "Safer Schools officer (SCPO)", consoles.force)
    page.goto(incident_url + "/crimes")
    form = page.locator("form[id^=form-propose]")
    form.get_by_label("Outcome").select_option(value="21")
    form.get_by_label("Public-interest rationale").fill("Non-abusive, no exploitation; prosecution would not serve either child.")
    form.get_by_role("button", name="Propose the outcome").click()
    page.get_by_text("The outcome has been proposed.").wait_for()
    sign_out(page)

    # The supervisor finalises Outcome 21, prints the young person notices and finalises the incident.
    sign_in(page, consoles.police, "Supervisor", consoles.force)
    page.goto(incident_url + "/crimes")
    form = page.locator("form[id^=form-finalise-outcome]")
    form.get_by_label("Outcome").select_option(value="21")
    form.get_by_role("button", name="Finalise the outcome").click()
    page.get_by_text("The outcome has been finalised.").wait_for()
    expect(page.locator("main")).to_contain_text(re.compile("Formal action not in public interest|21"))
    page.get_by_role("link", name="The young person notices (printable)").click()
    expect(page.get_by_role("heading", name=re.compile("^For "))).to_have_count(2)
    expect(page.locator("main")).to_contain_text("enhanced DBS")
    shots.take(page, "young-person-notices")
    axe_log.check(page, "police: young person notices")
    page.goto(incident_url)
    page.get_by_role("button", name="Finalise the incident").click()
    page.get_by_text("The incident has been finalised.").wait_for()
    page.get_by_role("link", name="Incidents").click()
    axe_log.check(page, "police: incident list")
    sign_out(page)

    # The registrar's compliance view, with its chart.
    sign_in(page, consoles.police, "Force Crime Registrar", consoles.force)
    page.get_by_role("link", name="Crime recording compliance").click()
    expect(page.get_by_role("img", name="Crimes recorded on time and late, by week")).to_be_visible()
    shots.take(page, "compliance")
    axe_log.check(page, "police: crime recording compliance")
    # The registrar's correction of a crime's recording sits under each crime; a person's record and the
    # audit log are the registrar's too.
    page.goto(incident_url + "/crimes")
    page.get_by_text("Correct the offence code or the recorded time").click()
    shots.take(page, "registrar-correction")
    axe_log.check(page, "police: crimes with the registrar's correction")
    page.goto(incident_url)
    page.get_by_role("table").get_by_role("link", name="Robin Sender").click()
    expect(page.get_by_role("heading", name="Person record")).to_be_visible()
    shots.take(page, "person-record")
    axe_log.check(page, "police: person record")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("row").nth(1)).to_be_attached()
    shots.take(page, "audit-log")
    axe_log.check(page, "police: audit log")
    sign_out(page)
    axe_log.check(page, "sign-in (police)")

    # Back at the school, the police status shows the outcome (the relay follows the status feed).
    for _ in range(60):
        school.reload()
        if "Outcome 21" in school.locator("main").inner_text():
            break
        school.wait_for_timeout(500)
    expect(school.locator("main")).to_contain_text("Outcome 21")
    # The status feed carries when each step happened; the school sees a time, not a dash.
    for label in ("Crime decision made at", "PPU notified at", "Routed at", "Police finalised at"):
        expect(school.locator(".summary-row", has_text=label).locator("dd"), label).to_have_text(re.compile(r"\d{2} \w{3} \d{4}, \d{2}:\d{2}"))
    serious = {name: found for name, found in axe_log.violations.items() if name.startswith(("police", "sign-in"))}
    assert serious == {}, serious


def _option(form, field: str, starts: str) -> str:
    """The full text of the option of `field` that names a person (labels add their role and age)."""
    select = form.locator(f"[name='{field}']") if "." in field or "_" in field else form.get_by_label(field)
    for text in select.locator("option").all_inner_texts():
        if text.startswith(starts):
            return text
    raise AssertionError(f"no option starting {starts!r} in {field}")
