"""What the console tests share: a fake OpenID provider, and signing in and opening an incident as a browser does."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.support import Tokens

CLIENT_ID = "school-console"
REDIRECT_URI = "http://school-api/console/oidc/callback"


class FakeIssuer:
    """A small OpenID provider's token endpoint: it answers a code only with the verifier of its challenge."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.codes: dict[str, dict[str, str]] = {}
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                grant = issuer.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                ok = (
                    grant is not None and grant["challenge"] == challenge and form.get("client_id") == CLIENT_ID
                    and form.get("redirect_uri") == REDIRECT_URI and form.get("grant_type") == "authorization_code"
                )
                body = json.dumps({"access_token": issuer.tokens.school("dsl", grant["urn"]), "token_type": "Bearer"}
                                  if ok else {"error": "invalid_grant"}).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def grant(self, authorize_url: str, urn: str) -> str:
        """What the provider does when the person signs in: a one-time code bound to the challenge."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        code = uuid.uuid4().hex
        self.codes[code] = {"challenge": query["code_challenge"], "urn": urn}
        return code


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(browser: httpx.AsyncClient, role: str, urn: str) -> None:
    page = await browser.get("/console/sign-in")
    answer = await browser.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "role": role, "tenant": urn})
    assert answer.status_code == 303, answer.text


async def open_incident(browser: httpx.AsyncClient) -> str:
    page = await browser.get("/console/incidents/new")
    answer = await browser.post("/console/forms/new-incident", data={
        "csrf_token": csrf_of(page.text), "disclosed_at": "2026-12-01T09:30", "disclosure_source": "pupil_about_self",
    })
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("/")[3].split("?")[0]
