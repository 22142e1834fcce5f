"""`make demo`: one aggravated case (an adult involved) from a pupil's disclosure to the police outcome,
and the police's status arriving back at the school, over HTTP, printed as a person would read it.

It starts both services itself on free loopback ports, with throw-away SQLite databases and key pairs in
a temporary folder that is removed afterwards: nothing under var/ is touched, `make run` may be running
beside it, and a test can run it as the README shows. The relay polls the police's status every second
here (20 seconds by default) so that the status comes back while you watch.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.clock import Clock
from shared.migrations import upgrade
from shared.jwks import write_jwks_file
from shared.tokens import TokenIssuer, generate_private_key_pem

VENV_BIN = Path(sys.executable).parent
SCHOOL_URN = "100001"
FORCE_CODE = "52"
SCHOOL_IDP, POLICE_IDP = "demo-school-idp", "demo-police-idp"
DISCLOSED_AT = "2026-11-27T09:00:00Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """Key pairs, two SQLite databases, the registered school and both services, in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keys: dict[str, Path] = {}
        for name in ("school-idp", "police-idp", "school-signing", "police-signing"):
            private = folder / f"{name}.pem"
            private.write_bytes(generate_private_key_pem())
            write_jwks_file(folder / f"{name}.jwks.json", [private.read_bytes()])
            self.keys[name] = private
        self.police_port, self.school_port = free_port(), free_port()
        self.police_env = {
            "POLICE_API_ENVIRONMENT": "development",
            "POLICE_API_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'police.sqlite3'}",
            "POLICE_API_IDP_ISSUER": POLICE_IDP,
            "POLICE_API_IDP_JWKS_FILE": str(folder / "police-idp.jwks.json"),
            "POLICE_API_AUDIT_CHECKPOINT_DIR": str(folder / "checkpoints" / "police_api"),
            "POLICE_API_SIGNING_KEY_FILE": str(self.keys["police-signing"]),
        }
        self.school_env = {
            "SCHOOL_API_ENVIRONMENT": "development",
            "SCHOOL_API_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'school.sqlite3'}",
            "SCHOOL_API_IDP_ISSUER": SCHOOL_IDP,
            "SCHOOL_API_IDP_JWKS_FILE": str(folder / "school-idp.jwks.json"),
            "SCHOOL_API_AUDIT_CHECKPOINT_DIR": str(folder / "checkpoints" / "school_api"),
            "SCHOOL_API_SIGNING_KEY_FILE": str(self.keys["school-signing"]),
            "SCHOOL_API_POLICE_API_URL": self.police_url,
            "SCHOOL_API_POLICE_CLIENTS_FILE": str(folder / "police-clients.json"),
            "SCHOOL_API_RELAY_IDLE_POLL_SECONDS": "0.5",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def school_url(self) -> str:
        return f"http://127.0.0.1:{self.school_port}"

    @property
    def police_url(self) -> str:
        return f"http://127.0.0.1:{self.police_port}"

    def start(self) -> None:
        upgrade("school_api", self.school_env["SCHOOL_API_DATABASE_URL"])
        upgrade("police_api", self.police_env["POLICE_API_DATABASE_URL"])
        registered = json.loads(
            subprocess.run(
                [str(VENV_BIN / "police-api"), "register-school", "--client-id", f"school-{SCHOOL_URN}",
                 "--school-urn", SCHOOL_URN, "--force-code", FORCE_CODE],
                env={**os.environ, **self.police_env}, check=True, capture_output=True, text=True,
            ).stdout
        )
        clients = {SCHOOL_URN: {"client_id": registered["client_id"], "client_secret": registered["client_secret"]}}
        Path(self.school_env["SCHOOL_API_POLICE_CLIENTS_FILE"]).write_text(json.dumps(clients))
        for module, port, env, log in (
            ("services.police_api.app", self.police_port, self.police_env, "police.log"),
            ("services.school_api.app", self.school_port, self.school_env, "school.log"),
        ):
            self.processes.append(
                subprocess.Popen(
                    [str(VENV_BIN / "python"), "-m", "uvicorn", f"{module}:create_app", "--factory", "--host", "127.0.0.1",
                     "--port", str(port), "--no-access-log", "--log-level", "warning"],
                    env={**os.environ, **env}, stdout=(self.folder / log).open("ab"), stderr=subprocess.STDOUT,
                )
            )
        for url in (self.police_url, self.school_url):
            wait_until(lambda url=url: _ready(url), 90, f"{url}/readyz")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def token(self, service: str, role: str, subject: str) -> dict[str, str]:
        """A bearer token from the demo's identity provider for that service, as the real one would sign it."""
        if service == "school":
            issuer = TokenIssuer(SCHOOL_IDP, self.keys["school-idp"].read_text())
            claims, audience = {"role": role, "school_urn": SCHOOL_URN}, "school-api"
        else:
            issuer = TokenIssuer(POLICE_IDP, self.keys["police-idp"].read_text())
            claims, audience = {"role": role, "force_code": FORCE_CODE}, "police-api"
        token = issuer.issue(subject=subject, audience=audience, now=Clock().now(), lifetime=timedelta(hours=1), claims=claims)
        return {"Authorization": f"Bearer {token}"}


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"demo: timed out after {timeout:.0f}s waiting for {what}")


@contextmanager
def running_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="ysi-demo-") as folder:
        stack = Stack(Path(folder))
        try:
            stack.start()
            yield stack
        except BaseException:
            for log in ("school.log", "police.log"):
                path = Path(folder) / log
                if path.exists() and path.read_text().strip():
                    print(f"--- last lines of the {log[:-4]} service's log ---", file=sys.stderr)
                    print("\n".join(path.read_text().splitlines()[-15:]), file=sys.stderr)
            raise
        finally:
            stack.stop()


# ---------------------------------------------------------------------------------------------------
# Printing


def step(number: int, title: str) -> None:
    print(f"\n{number}. {title}")


def line(label: str, value: object) -> None:
    print(f"   {label + ':':<22} {value}")


def note(text: str) -> None:
    for wrapped in textwrap.wrap(text, 96):
        print(f"   {wrapped}")


def words(code: str | None) -> str:
    return "none" if code is None else str(code).replace("_", " ")


def ok(answer: httpx.Response, expected: int = 200) -> Any:
    if answer.status_code != expected:
        raise SystemExit(f"demo: {answer.request.method} {answer.request.url.path} answered {answer.status_code}: {answer.text}")
    return answer.json()


# ---------------------------------------------------------------------------------------------------
# The case


def run(stack: Stack) -> None:
    school = httpx.Client(base_url=stack.school_url, timeout=10)
    police = httpx.Client(base_url=stack.police_url, timeout=10)
    dsl = stack.token("school", "dsl", "Ms Patel")
    print("Both services are up on free loopback ports, each with its own throw-away SQLite database:")
    line("school API", f"{stack.school_url}  (docs: {stack.school_url}/docs)")
    line("police API", f"{stack.police_url}  (docs: {stack.police_url}/docs)")

    step(1, "Disclosure: a pupil tells the DSL an adult asked for and received an image (APPX8 step 1)")
    incident = ok(school.post("/incidents", headers=dsl, json={
        "disclosed_at": DISCLOSED_AT, "disclosure_source": "pupil_about_self", "image_nature": "potentially_illegal",
        "image_involvement": ["sending"], "device_possession": "pupil", "device_ownership": "personal",
    }), 201)
    line("incident reference", incident["reference"])
    line("status", words(incident["status"]))
    school_path = f"/incidents/{incident['id']}"

    step(2, "People: the pupil pictured, and the adult who asked for the image")
    for body in (
        {"kind": "pupil", "roles": ["pictured", "sender"], "given_name": "Alex", "family_name": "Example", "sex": "female",
         "age_years": 14, "upn": "B801200005001"},
        {"kind": "adult", "roles": ["coercer", "recipient"], "sex": "male", "age_years": 34},
    ):
        person = ok(school.post(f"{school_path}/people", headers=dsl, json=body), 201)
        line(words(person["kind"]), ", ".join(words(role) for role in person["roles"]))

    step(3, "The DSL records that the DSL and senior management are informed (S-DSL)")
    for kind in ("dsl_informed", "senior_management_informed"):
        action = ok(school.post(f"{school_path}/actions", headers=dsl, json={
            "kind": kind, "taken": True, "performed_by": "Ms Patel (DSL)", "occurred_at": "2026-11-27T09:05:00Z",
        }), 201)
        line(words(action["kind"]), "taken" if action["taken"] else "not taken")

    step(4, "Risk assessment (S-IMMEDIATE, S-FACTORS, S-TYPOLOGY)")
    assessment = ok(school.post(f"{school_path}/assessments", headers=dsl, json={
        "immediate": {"adult_involved": True, "coercion_blackmail_grooming_or_capacity": True, "unusual_or_violent_acts": False,
                      "imagery_involves_sexual_acts": False, "pictured_pupil_under_13": False, "immediate_risk_of_harm": False},
        "factors": {"significant_age_difference": True, "external_coercion_or_encouragement": True, "child_more_vulnerable": False,
                    "severe_or_extreme_image": False, "widely_distributed": False, "not_first_time": False,
                    "other_cause_for_concern": False},
        "typology": "aggravated_adult_involved",
    }), 201)
    line("typology", words(assessment["typology"]))
    line("recommendation", words(assessment["recommendation"]))
    line("rule ids", ", ".join(assessment["rule_ids"]))
    for reason in assessment["reasons"]:
        note(f"- {reason}")

    step(5, "Decision: refer to the police through 101 (S-POLICE); the referral is queued in the same transaction")
    etag = school.get(school_path, headers=dsl).headers["ETag"]
    decision = ok(school.post(f"{school_path}/decision", headers={**dsl, "If-Match": etag}, json={
        "outcome": "refer_police", "police_channel": "101", "inform_parents": True,
        "reasons": "An adult is involved: always referred to the police (S-POLICE).",
    }), 201)
    line("decision", f"{words(decision['outcome'])} via {decision['police_channel']}")

    step(6, "Delivery: the relay carries the referral to the police")
    referral = wait_until(lambda: _delivered(school, school_path, dsl), 60, "the referral's delivery")
    line("delivery", f"{words(referral['delivery_state'])} after {referral['attempts']} attempt(s)")
    line("police reference", referral["police_reference"])

    supervisor = stack.token("police", "supervisor", "Sgt Jones")
    cid = stack.token("police", "cid", "DC Okafor")
    ppu = stack.token("police", "ppu", "PPU Officer Hale")

    step(7, "The police side: the report and the incident opened for it (P-101, P-INCIDENT)")
    reports = ok(police.get("/reports", headers=supervisor, params={"school_reference": incident["reference"]}))["items"]
    report = reports[0]
    police_incident = ok(police.get(f"/incidents/{report['police_incident_id']}", headers=supervisor))
    police_path = f"/incidents/{police_incident['id']}"
    line("report from school", f"URN {report['school_urn']}, reference {report['school_incident_reference']}, channel {report['channel']}")
    line("police incident", f"{police_incident['reference']}, {words(police_incident['classification'])}, {words(police_incident['status'])}")
    line("crime decision due", f"within 24 hours, by {police_incident['crime_deadline_at']}")

    step(8, "People linked to the incident (P-CRIME) and the PPU told of every child (P-PPU)")
    links = ok(police.get(f"{police_path}/links", headers=supervisor))["items"]
    for link in links:
        line(words(link["age_status"]), f"{words(link['role'])} (reported as {', '.join(words(r) for r in link['reported_roles'])})")
    notifications = ok(police.get(f"{police_path}/ppu-notifications", headers=supervisor))["items"]
    line("PPU notifications", f"{len(notifications)} (one for each child; none for the adult)")

    step(9, "The route (P-ROUTE): an adult is implicated, so CID, and a full investigation (P-FULL-INVESTIGATION)")
    assessed = police.get(f"{police_path}/assessment", headers=supervisor)
    route = ok(assessed)
    line("adult implicated", "yes" if route["adult_implicated"] else "no")
    line("computed route", words(route["computed_route"]).upper() if route["computed_route"] == "cid" else words(route["computed_route"]))
    for reason in route["computed_reasons"]:
        note(f"- {reason['rule']}: {reason['reason']}")
    routed = ok(police.post(f"{police_path}/route", headers={**supervisor, "If-Match": assessed.headers["ETag"]}, json={"route": "cid"}))
    line("routed to", words(routed["route"]).upper())

    step(10, "CID records the crime within 24 hours (NCRS, P-OFFENCES)")
    victim = next(link for link in links if link["role"] in ("victim", "victim_and_suspect"))
    crime = ok(police.post(f"{police_path}/crimes", headers=cid, json={"victim_person_id": victim["person_id"], "offence_code": "86/2"}), 201)
    line("crime", f"{crime['offence_code']}, {words(crime['status'])}")
    line("recorded in time", "yes" if not crime["recorded_late"] else "no (late)")
    line("suspects on the crime", len(crime["subject_person_ids"]))

    step(11, "The PPU acknowledges each child (P-PPU)")
    for notification in notifications:
        acknowledged = ok(police.post(
            f"/ppu/notifications/{notification['id']}/acknowledge", headers={**ppu, "If-Match": f'"v{notification["version"]}"'}
        ))
        line("acknowledged", f"notification at {acknowledged['acknowledged_at']}")

    step(12, "The outcome: the victim's parent is told, the adult is charged (Outcome 1), the incident finalised")
    ok(police.post(f"/crimes/{crime['id']}/victim-contacts", headers=cid, json={
        "contacted": "parent_or_guardian", "contacted_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(), "method": "in_person",
    }), 201)
    current = police.get(f"/crimes/{crime['id']}", headers=supervisor)
    final = ok(police.post(f"/crimes/{crime['id']}/outcome", headers={**supervisor, "If-Match": current.headers["ETag"]}, json={"code": 1}))
    line("crime outcome", f"Outcome {final['outcome_code']}: {final['outcome_label']}")
    current_incident = police.get(police_path, headers=supervisor)
    finalised = ok(police.post(f"{police_path}/finalise", headers={**supervisor, "If-Match": current_incident.headers["ETag"]}))
    line("police incident", words(finalised["status"]))

    step(13, "Back at the school: the police's status feed brings their answer to the DSL as it changes")
    referral = wait_until(lambda: _finalised(school, school_path, dsl), 60, "the police status at the school")
    status = referral["police_status"]
    line("police reference", status["police_reference"])
    line("crimes recorded", status["crimes_recorded"])
    line("PPU notified", "yes" if status["ppu_notified"] else "no")
    line("route", words(status["route"]).upper() if status["route"] == "cid" else words(status["route"]))
    line("outcome", status["outcome"])
    line("police case", "finalised" if status["finalised"] else "open")
    print("\nThe demo's services stop and its databases and keys are removed; `make run` keeps its own under var/.")


def _referral(school: httpx.Client, path: str, dsl: dict[str, str]) -> dict[str, Any] | None:
    items = ok(school.get(f"{path}/referrals", headers=dsl))["items"]
    return items[0] if items else None


def _delivered(school: httpx.Client, path: str, dsl: dict[str, str]) -> dict[str, Any] | None:
    referral = _referral(school, path, dsl)
    return referral if referral and referral["delivery_state"] == "delivered" else None


def _finalised(school: httpx.Client, path: str, dsl: dict[str, str]) -> dict[str, Any] | None:
    referral = _referral(school, path, dsl)
    status = referral and referral["police_status"]
    return referral if status and status["finalised"] else None


def main() -> None:
    with running_stack() as stack:
        run(stack)


if __name__ == "__main__":
    main()
