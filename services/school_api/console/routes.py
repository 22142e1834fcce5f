"""The DSL's console pages. Thin: read through the API, render, post forms to the API (docs/console.md)."""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from services.school_api.assessments.vocabulary import Typology
from services.school_api.console.forms import DONE, FORMS, SECTION_OF
from services.school_api.console.wording import GUIDANCE, RECOMMENDATIONS, STATUSES, STEP_PAGES, WORDING
from services.school_api.incidents.vocabulary import IncidentStatus, SharingExtent
from services.school_api.people.vocabulary import PersonKind, PersonRole, Vulnerability
from services.school_api.rules.assessment import FactorAnswers, ImmediateAnswers, recommend, s_factors, s_immediate, s_typology
from services.school_api.rules.facts import PersonFacts, derive_facts
from services.school_api.rules.steps import CHILDREN
from shared.console.actions import FormState, blank, form_states, submit
from shared.audit import AuditOutcome
from shared.console.api import ApiRefused, items
from shared.console.forms import FormBuilder
from shared.console.web import Console, Page, security_headers
from shared.identifiers import is_valid_upn

SECTIONS = [
    ("overview", "Summary"),
    ("observations", "Observations"),
    ("people", "People"),
    ("devices", "Devices and custody"),
    ("meetings", "Initial review and child's account"),
    ("searches", "Searches and viewings"),
    ("actions", "Action log"),
    ("assessment", "Risk assessment"),
    ("decision", "Decision and referral"),
    ("review", "Review and closure"),
    ("chronology", "Chronology"),
    ("audit", "Audit log"),
]
# A part of the incident offered only to the roles the access policy lets read it (POLICY).
SECTION_NEEDS = {"audit": "list_audit_entries"}
AUDIT_PAGE_SIZE = 50
REFERENCE_REFUSED = "Type the whole reference as the school gave it, for example 100001-2026-0001."


def person_label(person: dict[str, Any]) -> str:
    name = " ".join(part for part in (person.get("given_name"), person.get("family_name")) if part) or "Name not given"
    roles = ", ".join(WORDING.option(role) for role in person.get("roles", []))
    return f"{name} ({WORDING.option(person.get('kind'))}{': ' + roles if roles else ''})"


def console_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)

    # --- incident list and a new incident ----------------------------------------------------------

    @router.get("/incidents")
    async def console_incidents(
        page: Page = Depends(console.page), status: str = "", disclosed_from: str = "", disclosed_to: str = "", reference: str = "",
        cursor: str = "",
    ) -> Response:
        if not page.may("list_incidents"):
            return page.redirect("/incidents/new")
        params = {
            "status": status if status in IncidentStatus.__members__ else None,
            "disclosed_from": _day_start(disclosed_from), "disclosed_to": _day_end(disclosed_to), "cursor": cursor or None,
            "reference": reference.strip() or None,
        }
        answer = await page.api.call("GET", "/incidents", params=params)
        # A reference longer than any the school issues is refused by the list's own validation (422).
        reference_error = REFERENCE_REFUSED if answer.status == 422 and reference.strip() else None
        if not answer.ok and reference_error is None:
            raise ApiRefused(answer)
        body = answer.body if answer.ok else {"items": [], "next_cursor": None}
        rows, next_cursor = items(body), body.get("next_cursor")
        return page.render(
            "incidents.html", title="Incidents", rows=rows, next_cursor=next_cursor, statuses=STATUSES, reference_error=reference_error,
            filters={"status": status, "disclosed_from": disclosed_from, "disclosed_to": disclosed_to, "reference": reference},
        )

    @router.get("/incidents/new")
    async def console_new_incident(page: Page = Depends(console.page)) -> Response:
        return page.render("new_incident.html", title="A new incident", state=blank(FORMS["new-incident"], {}))

    @router.post("/forms/new-incident")
    async def console_create_incident(page: Page = Depends(console.page)) -> Response:
        answer, state = await submit(FORMS["new-incident"], page, {})
        if answer is None:
            return page.render("new_incident.html", status=422, title="A new incident", state=state)
        if not page.may("get_incident") or page.actor.role == "staff":
            return _opened(page, answer.body, {}, "")
        return page.redirect(f"/incidents/{answer.body['id']}?done=opened")

    # --- the incident's pages ----------------------------------------------------------------------

    @router.get("/incidents/{incident_id}")
    async def console_incident(incident_id: uuid.UUID, page: Page = Depends(console.page), done: str = "") -> Response:
        return await _section(page, incident_id, "overview", {}, done)

    @router.get("/incidents/{incident_id}/chronology/pdf")
    async def console_chronology_pdf(incident_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        # The browser holds a session cookie, not the bearer token, so the console fetches the API's PDF.
        answer = await page.api.document(f"/incidents/{incident_id}/chronology/pdf")
        keep = ("content-type", "content-disposition", "cache-control")
        return Response(answer.content, headers={**security_headers(), **{k: v for k, v in answer.headers.items() if k in keep}})

    @router.get("/incidents/{incident_id}/audit")
    async def console_incident_audit(incident_id: uuid.UUID, page: Page = Depends(console.page), outcome: str = "",
                                     cursor: str = "") -> Response:
        """The incident's own entries in the school's audit chain, a page at a time (GET /audit by record),
        all of them or only the refusals."""
        incident = (await page.api.get(f"/incidents/{incident_id}")).body
        chosen = outcome if outcome in AuditOutcome.__members__ else ""
        body = (await page.api.get("/audit", record_id=incident_id, outcome=chosen or None, cursor=cursor or None,
                                   limit=AUDIT_PAGE_SIZE)).body
        values = {"entries": items(body), "next_cursor": body.get("next_cursor"), "first_page": not cursor, "outcome": chosen}
        return _incident_page(page, incident, "audit", values, None)

    @router.get("/incidents/{incident_id}/{section}")
    async def console_incident_section(incident_id: uuid.UUID, section: str, page: Page = Depends(console.page), done: str = "") -> Response:
        if section not in BUILDERS:
            return console.html("message.html", status=404, page=page, heading="Not found", message="There is no such page.")
        return await _section(page, incident_id, section, {}, done)

    @router.post("/forms/{key}/incident_id/{incident_id}")
    async def console_incident_form(key: str, incident_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _post(page, key, {"incident_id": incident_id})

    @router.post("/forms/{key}/incident_id/{incident_id}/device_id/{device_id}")
    async def console_device_form(key: str, incident_id: uuid.UUID, device_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _post(page, key, {"incident_id": incident_id, "device_id": device_id})

    @router.get("/incidents/{incident_id}/people/{person_id}")
    async def console_person(incident_id: uuid.UUID, person_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _person_page(page, incident_id, person_id, None)

    @router.post("/forms/{key}/incident_id/{incident_id}/person_id/{person_id}")
    async def console_person_form(key: str, incident_id: uuid.UUID, person_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        return await _post(page, key, {"incident_id": incident_id, "person_id": person_id})

    async def _post(page: Page, key: str, ids: dict[str, Any]) -> Response:
        spec = FORMS.get(key)
        if spec is None or key not in SECTION_OF:
            return console.html("message.html", status=404, page=page, heading="Not found", message="There is no such form.")
        incident_id = ids["incident_id"]
        choices = await _choices(page, incident_id)
        suffix = str(ids["device_id"])[:8] if "device_id" in ids else ""
        # An edit sends only what the person changed: the record is read as it stands (a change made by
        # someone else since the page was read is refused by its ETag, 412).
        current = (await page.api.get(spec.path.format(**ids))).body if spec.method == "PATCH" else None
        answer, state = await submit(spec, page, ids, choices=choices.get(key), suffix=suffix, current=current)
        section = SECTION_OF[key]
        if answer is None and "person_id" in ids:
            return await _person_page(page, incident_id, ids["person_id"], state, status=422)
        if answer is None:
            return await _section(page, incident_id, section, {_state_key(key, ids): state}, "", status=422)
        return page.redirect(f"/incidents/{incident_id}/{section}?done={key}" if section != "overview" else f"/incidents/{incident_id}?done={key}")

    async def _section(page: Page, incident_id: uuid.UUID, section: str, states: dict[str, FormState], done: str,
                       status: int = 200) -> Response:
        incident_answer = await page.api.get(f"/incidents/{incident_id}")
        incident = incident_answer.body
        if page.actor.role == "staff":
            return _opened(page, incident, states, done, status=status)
        values = await BUILDERS[section](page, incident, incident_answer.etag, states)
        flash = DONE.get(done) or ("The incident is open. The DSL has been told." if done == "opened" else None)
        return _incident_page(page, incident, section, values, flash, status=status)

    def _incident_page(page: Page, incident: dict[str, Any], section: str, values: dict[str, Any], flash: str | None, *,
                       status: int = 200, template: str | None = None, heading: str | None = None) -> Response:
        sections = [(key, label) for key, label in SECTIONS if key not in SECTION_NEEDS or page.may(SECTION_NEEDS[key])]
        return page.render(
            template or f"incident_{section}.html", status=status,
            title=f"Incident {incident['reference']}: {heading or dict(SECTIONS)[section]}",
            incident=incident, sections=sections, section=section, heading=heading, flash=flash,
            forms=list(form_states(values)), statuses=STATUSES, wording=WORDING, guidance=GUIDANCE, **values,
        )

    def _opened(page: Page, incident: dict[str, Any], states: dict[str, FormState], done: str, *, status: int = 200) -> Response:
        """What a member of staff sees of an incident they opened: its reference, and a form to add what they
        saw or heard (they never read the incident back)."""
        observe = None
        if page.may("add_observation") and _open(incident):
            ids = {"incident_id": incident["id"]}
            observe = states.get(_state_key("add-observation", ids)) or blank(FORMS["add-observation"], ids)
        return page.render("opened.html", status=status, title=f"Incident {incident['reference']}", reference=incident["reference"],
                           observe=observe, forms=[observe] if observe else [], flash=DONE.get(done))

    async def _person_page(page: Page, incident_id: uuid.UUID, person_id: uuid.UUID, state: FormState | None, *,
                           status: int = 200) -> Response:
        incident = (await page.api.get(f"/incidents/{incident_id}")).body
        answer = await page.api.get(f"/incidents/{incident_id}/people/{person_id}")
        person = answer.body
        spec = FORMS["edit-person"]
        ids = {"incident_id": incident["id"], "person_id": person["id"]}
        if state is None and page.may(spec.operation) and _open(incident):
            state = blank(spec, ids, if_match=answer.etag, values=person)
        # The title names the part of the record, never the child (docs/console.md).
        return _incident_page(page, incident, "people", {"person": person, "edit_person": state}, None, status=status,
                              template="incident_person.html", heading="A person's details")

    # --- section builders: each reads what its page shows, through the API -------------------------

    async def overview(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        decision = await page.api.maybe(f"/incidents/{incident['id']}/decision") if page.may("get_decision") else None
        next_steps = (await page.api.get(f"/incidents/{incident['id']}/next-steps")).body if page.may("get_next_steps") else None
        values = {name: incident.get(name) for name in FORMS["complete-disclosure"].schema.model_fields}
        return {"decision": decision.body if decision else None, "next_steps": next_steps, "step_pages": STEP_PAGES,
                "complete_disclosure": _form(page, states, "complete-disclosure", incident, if_match=etag, values=values)}

    async def observations_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        observations = items((await page.api.get(f"/incidents/{incident['id']}/observations")).body)
        return {"observations": observations, "add_observation": _form(page, states, "add-observation", incident)}

    async def meetings_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        reviews = items((await page.api.get(base + "/initial-reviews")).body)
        accounts = items((await page.api.get(base + "/child-accounts")).body)
        people = await _people(page, incident["id"])
        children = _children(people)
        for review in reviews:
            review["attended"] = ", ".join(f"{a['name']} ({WORDING.option(a['role'])})" for a in review["attendees"])
        return {
            "initial_reviews": reviews, "child_accounts": accounts, "people_by_id": {p["id"]: person_label(p) for p in people},
            "children_on_record": bool(children),
            "initial_review": _form(page, states, "initial-review", incident),
            "child_account": _form(page, states, "child-account", incident, choices={"person_id": children}),
        }


    async def people_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        people = items((await page.api.get(f"/incidents/{incident['id']}/people")).body)
        form = _form(page, states, "add-person", incident)
        return {"people": people, "add_person": form}

    async def devices_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        devices = []
        for device in items((await page.api.get(f"/incidents/{incident['id']}/devices")).body):
            answer = await page.api.get(f"/incidents/{incident['id']}/devices/{device['id']}")
            ids = {"incident_id": incident["id"], "device_id": device["id"]}
            custody = states.get(_state_key("custody", ids)) or (
                blank(FORMS["custody"], ids, if_match=answer.etag, suffix=device["id"][:8]) if page.may("record_custody") and _open(incident) else None)
            devices.append({"device": answer.body, "custody_form": custody})
        people = await _people(page, incident["id"])
        choices = {"owner_person_id": [(p["id"], person_label(p)) for p in people]}
        return {"devices": devices, "people_by_id": {p["id"]: person_label(p) for p in people},
                "add_device": _form(page, states, "add-device", incident, choices=choices)}

    async def searches_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        authorisations = items((await page.api.get(base + "/authorisations")).body)
        searches = items((await page.api.get(base + "/searches")).body)
        viewings = items((await page.api.get(base + "/image-viewings")).body)
        choices = (await _choices(page, incident["id"]))
        return {
            "authorisations": authorisations, "searches": searches, "viewings": viewings,
            "authorise": _form(page, states, "authorise", incident, choices=choices["authorise"]),
            "search": _form(page, states, "search", incident, choices=choices["search"]),
            "view_image": _form(page, states, "view-image", incident, choices=choices["view-image"]),
        }

    async def actions_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        actions = items((await page.api.get(f"/incidents/{incident['id']}/actions")).body)
        return {
            "taken": [a for a in actions if a["taken"]], "not_taken": [a for a in actions if not a["taken"]],
            "record_action": _form(page, states, "record-action", incident),
        }

    async def assessment_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        assessments = items((await page.api.get(f"/incidents/{incident['id']}/assessments")).body)
        return {"assessments": assessments, "recommendations": RECOMMENDATIONS,
                "assess": _form(page, states, "assess", incident)}

    async def decision_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        base = f"/incidents/{incident['id']}"
        decision = await page.api.maybe(base + "/decision")
        referrals = items((await page.api.get(base + "/referrals")).body)
        assessments = items((await page.api.get(base + "/assessments")).body)
        return {
            "decision": decision.body if decision else None, "referrals": referrals,
            "latest": assessments[-1] if assessments else None, "recommendations": RECOMMENDATIONS,
            # A decided incident is offered a second decision only as the escalation of one managed in school.
            "decide": _form(page, states, "decide", incident, if_match=etag)
            if decision is None or incident["status"] == IncidentStatus.managed_in_school.value else None,
        }

    async def review_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        reviews = items((await page.api.get(f"/incidents/{incident['id']}/review")).body)
        return {"reviews": reviews, "review": _form(page, states, "review", incident, if_match=etag),
                "close": _form(page, states, "close", incident, if_match=etag)}

    async def chronology_page(page: Page, incident: dict[str, Any], etag: str | None, states: dict[str, FormState]) -> dict[str, Any]:
        body = (await page.api.get(f"/incidents/{incident['id']}/chronology")).body
        return {"entries": body["entries"]}

    BUILDERS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
        "overview": overview, "observations": observations_page, "people": people_page, "devices": devices_page,
        "meetings": meetings_page, "searches": searches_page, "actions": actions_page, "assessment": assessment_page,
        "decision": decision_page, "review": review_page, "chronology": chronology_page,
    }

    def _form(page: Page, states: dict[str, FormState], key: str, incident: dict[str, Any], *,
              choices: dict[str, list[tuple[str, str]]] | None = None, if_match: str | None = None,
              values: dict[str, Any] | None = None) -> FormState | None:
        spec = FORMS[key]
        if not page.may(spec.operation) or not _open(incident):
            return None
        ids = {"incident_id": incident["id"]}
        return states.get(_state_key(key, ids)) or blank(spec, ids, choices=choices, if_match=if_match, values=values)

    async def _people(page: Page, incident_id: Any) -> list[dict[str, Any]]:
        answer = await page.api.maybe(f"/incidents/{incident_id}/people")
        return items(answer.body) if answer else []

    async def _choices(page: Page, incident_id: Any) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """Ids a form asks for, offered as the records they name."""
        people = await _people(page, incident_id)
        devices_answer = await page.api.maybe(f"/incidents/{incident_id}/devices")
        devices = items(devices_answer.body) if devices_answer else []
        authorisations_answer = await page.api.maybe(f"/incidents/{incident_id}/authorisations")
        authorisations = items(authorisations_answer.body) if authorisations_answer else []
        labels = {p["id"]: person_label(p) for p in people}
        device_choices = [
            (d["id"], (d.get("description") or WORDING.option(d["ownership"]) + " device")
             + (f", {labels[d['owner_person_id']]}" if d.get("owner_person_id") in labels else "")) for d in devices]
        person_choices = [(p["id"], person_label(p)) for p in people]
        def of_kind(kind: str) -> list[tuple[str, str]]:
            return [(a["id"], f"{WORDING.option(a['kind'])}, {a.get('authorised_person') or 'the DSL'}") for a in authorisations if a["kind"] == kind]
        return {
            "add-device": {"owner_person_id": person_choices},
            "authorise": {"device_id": device_choices},
            "search": {"device_id": device_choices, "pupil_person_id": person_choices, "authorisation_id": of_kind("device_search")},
            "view-image": {"device_id": device_choices, "authorisation_id": of_kind("image_viewing")},
            "child-account": {"person_id": _children(people)},
        }

    # --- progressive enhancement: the UPN check and the assessment preview -------------------------

    @router.post("/upn-check")
    async def console_upn_check(page: Page = Depends(console.page)) -> Response:
        form = await page.form()
        upn = str(form.get("upn", "")).strip().upper()
        if len(upn) != 13:
            return JSONResponse({"valid": False, "message": f"A UPN has 13 characters; this has {len(upn)}."})
        if is_valid_upn(upn):
            return JSONResponse({"valid": True, "message": "The check letter is right."})
        return JSONResponse({"valid": False, "message": "The check letter does not match: check the UPN for a typing mistake."})

    @router.post("/incidents/{incident_id}/assessment/preview")
    async def console_assessment_preview(incident_id: uuid.UUID, page: Page = Depends(console.page)) -> Response:
        form = await page.form()
        builder = FormBuilder(FORMS["assess"].schema, WORDING)
        answers = builder.parse(form)
        incident = (await page.api.get(f"/incidents/{incident_id}")).body
        people = await _people(page, incident_id)
        facts = derive_facts((_person_facts(p) for p in people), _enum(SharingExtent, incident.get("sharing_extent")),
                             date.fromisoformat(incident["disclosed_at"][:10]))
        immediate_answers = ImmediateAnswers(**answers.get("immediate", {}))
        factor_answers = FactorAnswers(**answers.get("factors", {}))
        typology = _enum(Typology, answers.get("typology")) or Typology.experimental_other
        immediate = s_immediate(immediate_answers, facts)
        factors = s_factors(factor_answers, facts)
        violations = immediate.violations + factors.violations + s_typology(typology, facts, immediate_answers)
        outcome = recommend(immediate, factors, typology)
        return JSONResponse({
            "recommendation": RECOMMENDATIONS[outcome.recommendation.value],
            "rule_ids": outcome.rule_ids,
            "reasons": outcome.reasons,
            "guidance": [{"rule": rule, "text": GUIDANCE.get(rule, "")} for rule in outcome.rule_ids],
            "violations": [v.as_dict() for v in violations],
            "typology_chosen": "typology" in answers,
        })

    return router


def _children(people: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The people a child's account may be attributed to (S-CHILD-VOICE: a child on the record)."""
    return [(p["id"], person_label(p)) for p in people if p["kind"] in CHILDREN]


def _state_key(key: str, ids: dict[str, Any]) -> str:
    return key + ":" + ":".join(str(value) for value in ids.values())


def _open(incident: dict[str, Any]) -> bool:
    return incident.get("status") != IncidentStatus.closed.value


def _enum(kind: Any, value: Any) -> Any:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def _person_facts(person: dict[str, Any]) -> PersonFacts:
    """The API's person, as the facts rules.facts derives from (the same fields services.assessments reads)."""
    dob = person.get("date_of_birth")
    return PersonFacts(
        kind=PersonKind(person["kind"]),
        roles=frozenset(PersonRole(role) for role in person.get("roles", [])),
        date_of_birth=date.fromisoformat(dob) if dob else None,
        age_years=person.get("age_years"),
        vulnerabilities=frozenset(Vulnerability(flag) for flag in person.get("vulnerabilities", [])),
    )


def _day_start(value: str) -> str | None:
    return f"{value}T00:00:00+00:00" if _is_day(value) else None


def _day_end(value: str) -> str | None:
    return f"{value}T23:59:59+00:00" if _is_day(value) else None


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def mount(app: Any, console: Console) -> None:
    console.install(app)
    app.include_router(console_router(console))


