"""The officers' console pages. Thin: read through the API, render, post forms to the API (docs/console.md)."""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from services.police_api.console.chart import weekly_chart
from services.police_api.console.forms import DONE, FORMS, SECTION_OF
from services.police_api.console.wording import GUIDANCE, PRIORITY_ORDER, WORDING
from shared.concurrency import etag
from shared.console.actions import FormSpec, FormState, blank, form_states, submit
from shared.console.api import ApiRefused, items
from shared.console.forms import LONDON
from shared.console.web import Console, Page

SECTIONS = [
    ("overview", "Incident and persons"),
    ("crimes", "Crimes and outcomes"),
    ("route", "Assessment and route"),
    ("scpo", "Restorative approach and education"),
]
CHART_WEEKS = 8
MAX_INCIDENTS_CHARTED = 500
AUDIT_PAGE_SIZE = 50
AUDIT_FILTERS = ("record_id", "operation", "outcome", "occurred_from", "occurred_to")


def person_label(link: dict[str, Any]) -> str:
    person = link.get("person") or {}
    name = " ".join(part for part in (person.get("given_name"), person.get("family_name")) if part) or "Name not known"
    return f"{name} ({WORDING.option(link['role'])}, {WORDING.option(link.get('age_status', 'unknown'))})"


def clock_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    late = seconds < 0
    left = abs(seconds)
    text = f"{left // 3600} h {left % 3600 // 60:02d} min"
    return f"Overdue by {text}" if late else f"{text} left"


def console_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)

    # --- queues ------------------------------------------------------------------------------------

    @router.get("/queue")
    async def console_queue(page: Page = Depends(console.page)) -> Response:
        reports = items((await page.api.get("/reports")).body)
        reports.sort(key=lambda r: (PRIORITY_ORDER.get(r.get("triage_priority"), 9), r["received_at"]))
        return page.render("queue.html", title="Intake queue", reports=reports, wording=WORDING)

    @router.get("/reports/{report_id}")
    async def console_report(report_id: uuid.UUID, page: Page = Depends(console.page), done: str = "") -> Response:
        return await _report_page(page, report_id, None, done)

    @router.post("/forms/triage/report_id/{report_id}")
    async def console_triage(report_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        answer, state = await submit(FORMS["triage"], page, {"report_id": report_id})
        if answer is None:
            return await _report_page(page, report_id, state, "", status=422)
        return page.redirect(f"/reports/{report_id}?done=triage")

    async def _report_page(page: Page, report_id: uuid.UUID, state: FormState | None, done: str, status: int = 200) -> Response:
        answer = await page.api.get(f"/reports/{report_id}")
        report = answer.body
        form = state or (blank(FORMS["triage"], {"report_id": report_id}, if_match=answer.etag,
                               values={"priority": report.get("triage_priority")}) if page.may("triage_report") else None)
        return page.render("report.html", status=status, title=f"Report {report['police_reference']}", report=report,
                           triage=form, forms=[form] if form else [], flash=DONE.get(done), wording=WORDING)

    @router.get("/incidents")
    async def console_incidents(page: Page = Depends(console.page), cursor: str = "") -> Response:
        body = (await page.api.get("/incidents", cursor=cursor or None)).body
        rows = items(body)
        return page.render("incidents.html", title="Incidents", rows=rows, clock=clock_text, wording=WORDING,
                           next_cursor=body.get("next_cursor") if isinstance(body, dict) else None)

    @router.get("/ppu")
    async def console_ppu(page: Page = Depends(console.page), done: str = "") -> Response:
        notifications = items((await page.api.get("/ppu/notifications")).body)
        notifications.sort(key=lambda n: (n["acknowledged_at"] is not None, n["created_at"]))
        references: dict[str, str] = {}
        for notification in notifications:
            incident_id = notification["incident_id"]
            if incident_id not in references:
                incident = await page.api.maybe(f"/incidents/{incident_id}")
                references[incident_id] = incident.body["reference"] if incident else "—"
        return page.render("ppu.html", title="PPU queue", notifications=notifications, references=references,
                           flash=DONE.get(done), wording=WORDING)

    @router.get("/ppu/{notification_id}")
    async def console_ppu_notification(notification_id: uuid.UUID, page: Page = Depends(console.page), done: str = "") -> Response:
        return await _notification_page(page, notification_id, None, done)

    @router.post("/forms/ppu-update/notification_id/{notification_id}")
    async def console_ppu_update(notification_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        ids = {"notification_id": notification_id}
        answer, state = await submit(FORMS["ppu-update"], page, ids)
        if answer is None:
            return await _notification_page(page, notification_id, state, "", status=422)
        return page.redirect(f"/ppu/{notification_id}?done=ppu-update")

    async def _notification_page(page: Page, notification_id: uuid.UUID, state: FormState | None, done: str,
                                 status: int = 200) -> Response:
        notification = (await page.api.get(f"/ppu/notifications/{notification_id}")).body
        incident = await page.api.maybe(f"/incidents/{notification['incident_id']}")
        links = await page.api.maybe(f"/incidents/{notification['incident_id']}/links")
        labels = {link["person_id"]: person_label(link) for link in items(links.body)} if links else {}
        form = state or (blank(FORMS["ppu-update"], {"notification_id": notification_id})
                         if page.may("add_ppu_update") else None)
        reference = incident.body["reference"] if incident else "—"
        return page.render("ppu_notification.html", status=status, title=f"PPU notification, incident {reference}",
                           notification=notification, reference=reference, person=labels.get(notification["person_id"], "A person"),
                           update=form, forms=[form] if form else [], flash=DONE.get(done), wording=WORDING)

    @router.post("/ppu/{notification_id}/acknowledge")
    async def console_acknowledge(notification_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        form = await page.form()
        answer = await page.api.call("POST", f"/ppu/notifications/{notification_id}/acknowledge",
                                     if_match=str(form.get("if_match") or "") or None)
        if not answer.ok:
            return console.html("message.html", status=answer.status, page=page, heading="Not acknowledged", message=answer.detail)
        back = str(form.get("back") or "")
        if back == "notification":
            return page.redirect(f"/ppu/{notification_id}?done=acknowledged")
        return page.redirect(f"/incidents/{back}?done=acknowledged" if _is_uuid(back) else "/ppu?done=acknowledged")

    # --- the incident's pages ----------------------------------------------------------------------

    @router.get("/incidents/{incident_id}")
    async def console_incident(incident_id: uuid.UUID, page: Page = Depends(console.page), done: str = "") -> Response:
        return await _section(page, incident_id, "overview", {}, done)

    @router.get("/incidents/{incident_id}/{section}")
    async def console_incident_section(incident_id: uuid.UUID, section: str, page: Page = Depends(console.page),
                                       done: str = "") -> Response:
        if section not in BUILDERS:
            return console.html("message.html", status=404, page=page, heading="Not found", message="There is no such page.")
        return await _section(page, incident_id, section, {}, done)

    @router.post("/forms/{key}/incident_id/{incident_id}")
    async def console_incident_form(key: str, incident_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _post(page, key, incident_id, {"incident_id": incident_id})

    @router.post("/forms/{key}/incident_id/{incident_id}/crime_id/{crime_id}")
    async def console_crime_form(key: str, incident_id: uuid.UUID, crime_id: uuid.UUID,
                                 page: Page = Depends(console.page)) -> Response:
        return await _post(page, key, incident_id, {"incident_id": incident_id, "crime_id": crime_id})

    @router.post("/forms/link-role/incident_id/{incident_id}/link_id/{link_id}")
    async def console_link_form(incident_id: uuid.UUID, link_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _post(page, "link-role", incident_id, {"incident_id": incident_id, "link_id": link_id})

    @router.post("/incidents/{incident_id}/finalise")
    async def console_finalise_incident(incident_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        form = await page.form()
        answer = await page.api.call("POST", f"/incidents/{incident_id}/finalise", if_match=str(form.get("if_match") or "") or None)
        if not answer.ok:
            refusal = FormState(FINALISE, "", [], refusals=answer.violations,
                                errors={} if answer.violations else {"_form": answer.detail})
            return await _section(page, incident_id, "overview", {"finalise": refusal}, "", status=answer.status)
        return page.redirect(f"/incidents/{incident_id}?done=finalised")

    async def _post(page: Page, key: str, incident_id: uuid.UUID, ids: dict[str, Any]) -> Response:
        spec = FORMS.get(key)
        if spec is None or key not in SECTION_OF:
            return console.html("message.html", status=404, page=page, heading="Not found", message="There is no such form.")
        choices = await _choices(page, incident_id)
        owner = ids.get("crime_id") or ids.get("link_id")
        suffix = str(owner)[:8] if owner else ""
        if key == "finding-decision":
            standing = (await page.api.get(f"/incidents/{incident_id}/assessment")).body.get("indicators", [])
            choices[key] = {"indicator": [(i, WORDING.option(i)) for i in standing]}
        answer, state = await submit(spec, page, ids, choices=choices.get(key), suffix=suffix)
        section = SECTION_OF[key]
        if answer is None:
            return await _section(page, incident_id, section, {_state_key(key, ids): state}, "", status=422)
        return page.redirect(f"/incidents/{incident_id}/{section}?done={key}")

    async def _section(page: Page, incident_id: uuid.UUID, section: str, states: dict[str, FormState], done: str,
                       status: int = 200) -> Response:
        answer = await page.api.get(f"/incidents/{incident_id}")
        incident = answer.body
        values = await BUILDERS[section](page, incident, answer.etag, states)
        return page.render(
            f"incident_{section}.html", status=status, title=f"Incident {incident['reference']}: {dict(SECTIONS)[section]}",
            incident=incident, sections=SECTIONS, section=section, flash=DONE.get(done), forms=list(form_states(values)),
            wording=WORDING, guidance=GUIDANCE, clock=clock_text, **values,
        )

    async def overview(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        links = items((await page.api.get(base + "/links")).body)
        notifications = items((await page.api.get(base + "/ppu-notifications")).body)
        assessment = await page.api.maybe(base + "/assessment") if page.may("get_assessment") else None
        finalise = states.get("finalise") or (FormState(FINALISE, "", [], if_match=etag) if page.may("finalise_incident") else None)
        is_open = incident.get("status") != "finalised"
        role_forms = {}
        if is_open and page.may("update_link"):
            for link in links:
                ids = {"incident_id": incident["id"], "link_id": link["id"]}
                role_forms[link["id"]] = states.get(_state_key("link-role", ids)) or blank(
                    FORMS["link-role"], ids, if_match=etag_of(link), suffix=link["id"][:8], values={"role": link["role"]})
        add_link = None
        if is_open and page.may("create_link"):
            ids = {"incident_id": incident["id"]}
            add_link = states.get(_state_key("add-link", ids)) or blank(FORMS["add-link"], ids)
        return {"links": links, "labels": {link["person_id"]: person_label(link) for link in links},
                "notifications": notifications, "assessment": assessment.body if assessment else None,
                "finalise": finalise, "incident_etag": etag, "role_forms": role_forms, "add_link": add_link}

    async def crimes_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        links = items((await page.api.get(base + "/links")).body)
        labels = {link["person_id"]: person_label(link) for link in links}
        crimes = []
        choices = await _choices(page, incident["id"], links)
        contact_choices = choices["victim-contact"]
        for crime in items((await page.api.get(base + "/crimes")).body):
            current = await page.api.get(f"/crimes/{crime['id']}")
            ids = {"incident_id": incident["id"], "crime_id": crime["id"]}
            suffix = crime["id"][:8]
            def form(key: str, if_match: str | None = None) -> FormState | None:
                if not page.may(FORMS[key].operation) or current.body.get("status") == "finalised":
                    return None
                return states.get(_state_key(key, ids)) or blank(FORMS[key], ids, if_match=if_match, suffix=suffix,
                                                                  choices=contact_choices if key == "victim-contact" else None)
            crimes.append({
                "crime": current.body,
                "subjects": [labels.get(pid, "A person") for pid in current.body.get("subject_person_ids", [])],
                "contact": form("victim-contact"),
                "propose": form("propose", current.etag),
                "finalise": form("finalise-outcome", current.etag),
                # The registrar's correction is of the record, so it stays open after the outcome.
                "correct": (states.get(_state_key("correct-recording", ids)) or blank(
                    FORMS["correct-recording"], ids, if_match=current.etag, suffix=suffix,
                    choices=choices["correct-recording"])) if page.may("correct_crime_recording") else None,
            })
        record = None
        if page.may("record_crime"):
            ids = {"incident_id": incident["id"]}
            record = states.get(_state_key("record-crime", ids)) or blank(FORMS["record-crime"], ids, choices=choices["record-crime"])
        no_crime = None
        if incident.get("crime_decision") == "pending" and not crimes and page.may("record_no_crime_decision"):
            ids = {"incident_id": incident["id"]}
            no_crime = states.get(_state_key("no-crime", ids)) or blank(FORMS["no-crime"], ids, if_match=etag)
        return {"crimes": crimes, "labels": labels, "record_crime": record, "no_crime": no_crime}

    async def route_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        answer = await page.api.get(f"/incidents/{incident['id']}/assessment")
        assessment = answer.body
        links = items((await page.api.get(f"/incidents/{incident['id']}/links")).body)
        ids = {"incident_id": incident["id"]}
        def form(key: str, if_match: str | None, values: dict[str, Any] | None = None) -> FormState | None:
            if not page.may(FORMS[key].operation) or incident.get("status") == "finalised":
                return None
            choices = {"indicator": [(i, WORDING.option(i)) for i in assessment.get("indicators", [])]} if key == "finding-decision" else None
            return states.get(_state_key(key, ids)) or blank(FORMS[key], ids, if_match=if_match, values=values, choices=choices)
        # The computed route's reasons may already name a full-investigation finding: each reason once.
        reasons = {(r["rule"], r["reason"]): r for r in assessment.get("computed_reasons", []) + assessment.get("full_investigation_reasons", [])}
        return {
            "assessment": assessment, "labels": {link["person_id"]: person_label(link) for link in links},
            "why_route": list(reasons.values()),
            "indicators": form("indicators", etag, {"indicators": assessment.get("indicators")}),
            "route_form": form("route", answer.etag, {"route": assessment.get("computed_route")}) if not assessment.get("route") else None,
            "override": form("override", answer.etag),
            "finding_decision": form("finding-decision", answer.etag) if assessment.get("indicators") else None,
        }

    async def scpo_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        meetings = items((await page.api.get(base + "/restorative-meetings")).body)
        education = items((await page.api.get(base + "/education")).body)
        links = items((await page.api.get(base + "/links")).body)
        choices = await _choices(page, incident["id"], links)
        ids = {"incident_id": incident["id"]}
        def form(key: str) -> FormState | None:
            if not page.may(FORMS[key].operation) or incident.get("status") == "finalised":
                return None
            return states.get(_state_key(key, ids)) or blank(FORMS[key], ids, choices=choices[key])
        return {"meetings": meetings, "education": education, "labels": {link["person_id"]: person_label(link) for link in links},
                "meeting": form("meeting"), "education_form": form("education")}

    BUILDERS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
        "overview": overview, "crimes": crimes_page, "route": route_page, "scpo": scpo_page,
    }

    async def _choices(page: Page, incident_id: Any, links: list[dict[str, Any]] | None = None) -> dict[str, dict[str, list[tuple[str, str]]]]:
        if links is None:
            answer = await page.api.maybe(f"/incidents/{incident_id}/links")
            links = items(answer.body) if answer else []
        people = [(link["person_id"], person_label(link)) for link in links]
        codes_answer = await page.api.maybe("/offence-codes")
        codes = [(c["code"], f"{c['code']}: {c['title']}") for c in items(codes_answer.body)] if codes_answer else []
        return {
            "record-crime": {"victim_person_id": people, "offence_code": codes, "subject_person_ids": people},
            "correct-recording": {"offence_code": codes},
            "victim-contact": {"method": [(m, WORDING.option(m)) for m in ("in_person", "telephone", "letter", "email", "video")]},
            "meeting": {"person_id": people},
            "education": {"person_id": people},
        }

    # --- the young person notice, and the registrar's view -----------------------------------------

    @router.get("/crimes/{crime_id}/notices")
    async def console_notices(crime_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        crime = (await page.api.get(f"/crimes/{crime_id}")).body
        notices = items((await page.api.get(f"/crimes/{crime_id}/notices")).body)
        incident = (await page.api.get(f"/incidents/{crime['incident_id']}")).body
        links = items((await page.api.get(f"/incidents/{crime['incident_id']}/links")).body)
        return page.render("notices.html", title=f"Young person notices, {incident['reference']}", notices=notices,
                           crime=crime, incident=incident, labels={link["person_id"]: person_label(link) for link in links},
                           wording=WORDING)

    # --- a person of the nominal index, and merging a duplicate record ------------------------------

    @router.get("/persons/{person_id}")
    async def console_person(person_id: uuid.UUID, page: Page = Depends(console.page), done: str = "") -> Response:
        return await _person_page(page, person_id, None, done)

    @router.post("/forms/merge/person_id/{person_id}")
    async def console_merge(person_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        answer, state = await submit(FORMS["merge"], page, {"person_id": person_id})
        if answer is None:
            return await _person_page(page, person_id, state, "", status=422)
        return page.redirect(f"/persons/{person_id}?done=merge")

    async def _person_page(page: Page, person_id: uuid.UUID, state: FormState | None, done: str, status: int = 200) -> Response:
        answer = await page.api.get(f"/persons/{person_id}")
        person = answer.body
        form = None
        if page.may("merge_persons") and person.get("merged_into_id") is None:
            form = state or blank(FORMS["merge"], {"person_id": person_id}, if_match=answer.etag)
        # The title names the record, never the person: a child's name stays out of titles and URLs.
        return page.render("person.html", status=status, title="Person record", person=person, merge=form,
                           forms=[form] if form else [], flash=DONE.get(done), wording=WORDING)

    # --- the audit log (supervisor, registrar) --------------------------------------------------------

    @router.get("/audit")
    async def console_audit(page: Page = Depends(console.page), record_id: str = "", operation: str = "",
                            outcome: str = "", occurred_from: str = "", occurred_to: str = "", cursor: str = "") -> Response:
        if not page.may("list_audit_entries"):
            # The API checks the filters before the role; the console refuses the page to other roles first.
            return console.html("message.html", status=403, page=page, heading="Your role cannot see this page",
                                message="The audit log is for supervisors and the Force Crime Registrar.")
        chosen = {"record_id": record_id.strip(), "operation": operation.strip(), "outcome": outcome,
                  "occurred_from": occurred_from, "occurred_to": occurred_to}
        params = {**chosen, "occurred_from": _utc(occurred_from), "occurred_to": _utc(occurred_to),
                  "cursor": cursor or None, "limit": AUDIT_PAGE_SIZE}
        answer = await page.api.call("GET", "/audit", params=params)
        if answer.status in (400, 422):
            # A filter the API cannot use (not a record id, a malformed time) is shown beside the filters.
            return page.render("audit.html", status=422, title="Audit log", rows=[], next_cursor=None, chosen=chosen,
                               error=_filter_error(answer.errors) or answer.detail, query="")
        if not answer.ok:
            raise ApiRefused(answer)
        query = urlencode({name: value for name, value in chosen.items() if value})
        return page.render("audit.html", title="Audit log", rows=items(answer.body), chosen=chosen, error=None,
                           next_cursor=answer.body.get("next_cursor"), query=query)

    @router.get("/compliance")
    async def console_compliance(page: Page = Depends(console.page)) -> Response:
        # The first page of each list, most overdue and latest first: what the registrar acts on today.
        late = items((await page.api.get("/compliance/crime-recording/late-crimes", limit=100)).body)
        undecided = items((await page.api.get("/compliance/crime-recording/undecided", limit=100)).body)
        findings = items((await page.api.get("/compliance/crime-recording/finding-decisions", limit=100)).body)
        now = datetime.now(UTC)
        since = now - timedelta(weeks=CHART_WEEKS)
        crimes = await _recent_crimes(page, since)
        chart = weekly_chart(crimes, now, CHART_WEEKS)
        return page.render("compliance.html", title="Crime recording compliance", late=late, undecided=undecided, findings=findings, as_of=now, chart=chart,
                           clock=clock_text, weeks=CHART_WEEKS)

    async def _recent_crimes(page: Page, since: datetime) -> list[dict[str, Any]]:
        """Every crime of incidents opened since `since`, read through the API (each read audited)."""
        crimes: list[dict[str, Any]] = []
        cursor = None
        seen = 0
        while seen < MAX_INCIDENTS_CHARTED:
            body = (await page.api.get("/incidents", cursor=cursor, limit=100)).body
            rows = items(body)
            for incident in rows:
                seen += 1
                if datetime.fromisoformat(incident["created_at"]) < since:
                    continue
                answer = await page.api.maybe(f"/incidents/{incident['id']}/crimes")
                crimes += items(answer.body) if answer else []
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            if not cursor or not rows or datetime.fromisoformat(rows[-1]["created_at"]) < since:
                break
        return crimes

    return router


class FinaliseIn(BaseModel):
    """Finalising has no fields; the form exists so that its refusals show in the page's error summary."""

    model_config = ConfigDict(extra="forbid")


FINALISE = FormSpec("finalise-incident", "Finalise the incident", FinaliseIn, "POST", "/incidents/{incident_id}/finalise",
                    "finalise_incident", WORDING, submit="Finalise the incident")


def etag_of(record: dict[str, Any]) -> str:
    return etag(int(record["version"]))


def _utc(value: str) -> str | None:
    """A datetime-local filter (UK local time) as the API's aware time."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LONDON).astimezone(UTC).isoformat()
    except ValueError:
        return value


def _filter_error(errors: list[dict[str, Any]]) -> str | None:
    for error in errors:
        where = [str(part) for part in error.get("loc", []) if part != "query"]
        if where:
            return f"{WORDING.label(where[0])}: {error.get('msg', 'not valid')}."
    return None


def _state_key(key: str, ids: dict[str, Any]) -> str:
    return key + ":" + ":".join(str(value) for value in ids.values())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def mount(app: Any, console: Console) -> None:
    console.install(app)
    app.include_router(console_router(console))
