"""The console framework each service mounts: sign-in and sign-out, the session cookie, CSRF, security
headers, templates, static files, and the `Page` a console route works with (docs/console.md)."""
from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from shared.console import oidc
from shared.console.api import Api, ApiRefused
from shared.console.forms import LONDON, humanise
from shared.console.sessions import COOKIE, PENDING_LIFETIME, ConsoleSession, SessionRecords, SessionStore
from shared.context import runtime_of
from shared.identity import Actor
from shared.settings import Environment, ServiceSettings
from shared.tokens import InvalidToken, TokenIssuer

HERE = Path(__file__).resolve().parent
PREFIX = "/console"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SIGN_IN_CSRF_COOKIE = "console_sign_in"
STATIC = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}


class SignInRequired(Exception):
    """No live session: the person is sent to the sign-in page."""


class CsrfRefused(Exception):
    """A form came without this session's token (or with another's)."""


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    operation: str | None = None


@dataclass
class ConsoleSpec:
    """What differs between the school's and the police console."""

    service: str
    title: str
    audience: str
    tenant_claim: str
    tenant_label: str
    tenant_hint: str
    tenant_pattern: str
    default_tenant: str
    roles: list[tuple[str, str]]
    policy: dict[str, frozenset[Any]]
    home: str
    nav: list[NavItem]
    templates: Path
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # Ranks the development sign-in offers, sent as the token's `rank` claim (none: the console has no ranks).
    ranks: list[tuple[str, str]] = field(default_factory=list)


def _local(value: Any, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A stored UTC time as UK local time: the guidance's people work in UK time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(LONDON).strftime(fmt)
    return str(value)


def _input_time(value: Any) -> str:
    """A value for <input type=datetime-local> (UK local time, minutes)."""
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            return parsed.strftime("%Y-%m-%dT%H:%M")
        return parsed.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
    return ""


def _yes_no(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "Not known yet" if value is None else humanise(str(value))


class Console:
    def __init__(self, spec: ConsoleSpec, settings: ServiceSettings, records: SessionRecords) -> None:
        self.spec = spec
        self.settings = settings
        self.sessions = SessionStore(
            records,
            idle=timedelta(minutes=settings.console_session_idle_minutes),
            absolute=timedelta(hours=settings.console_session_max_hours),
        )
        self.templates = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(spec.templates), jinja2.FileSystemLoader(HERE / "templates")]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters.update(local=_local, input_time=_input_time, yesno=_yes_no, human=humanise, **spec.filters)
        self._static = {name: (HERE / "static" / name).read_bytes() for name in STATIC}
        self.router = self._routes()

    # Cookies are not kept apart by port: on one host (make run: 8001 and 8002) the two consoles' cookies
    # would overwrite each other, so each service names its own.
    @property
    def session_cookie(self) -> str:
        return f"{self.spec.service}_{COOKIE}"

    @property
    def sign_in_cookie(self) -> str:
        return f"{self.spec.service}_{SIGN_IN_CSRF_COOKIE}"

    @property
    def pending_cookie(self) -> str:
        return f"{self.spec.service}_{oidc.PENDING_COOKIE}"

    @property
    def production(self) -> bool:
        return self.settings.environment == Environment.production

    def install(self, app: FastAPI) -> None:
        app.include_router(self.router)
        app.add_exception_handler(SignInRequired, self._to_sign_in)
        app.add_exception_handler(CsrfRefused, self._csrf_refused)
        app.add_exception_handler(ApiRefused, self._refused_page)
        app.state.console = self

    # --- rendering ---------------------------------------------------------------------------------

    def html(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("spec", self.spec)
        values.setdefault("page", None)
        values.setdefault("development", not self.production)
        body = self.templates.get_template(template).render(**values)
        return HTMLResponse(body, status_code=status, headers=security_headers())

    # --- the page dependency -----------------------------------------------------------------------

    async def page(self, request: Request) -> AsyncIterator[Page]:
        runtime = runtime_of(request)
        now = runtime.clock.now()
        cookie_id = request.cookies.get(self.session_cookie)
        stored = await self.sessions.get(runtime.sessionmaker, cookie_id, now)
        if stored is None:
            raise SignInRequired()
        try:
            actor: Actor = runtime.actor_from_claims(await runtime.verifier.verify(stored.token))
        except InvalidToken:
            await self.sessions.end(runtime.sessionmaker, cookie_id)
            raise SignInRequired() from None
        session = ConsoleSession(token=stored.token, actor=actor, csrf=stored.csrf)
        request.state.actor = actor
        api = Api(request.app, session.token)
        page = Page(self, request, session, api)
        # An error page rendered by an exception handler still shows who is signed in and the menu.
        request.state.console_page = page
        try:
            yield page
        finally:
            await api.close()

    # --- routes ------------------------------------------------------------------------------------

    def _routes(self) -> APIRouter:
        router = APIRouter(prefix=PREFIX, include_in_schema=False)
        console = self

        @router.get("/static/{name}")
        async def console_static(name: str) -> Response:
            if name not in STATIC:
                return Response(status_code=404)
            return Response(console._static[name], media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

        @router.get("")
        async def console_home() -> Response:
            return RedirectResponse(f"{PREFIX}{console.spec.home}", status_code=303)

        @router.get("/sign-in")
        async def console_sign_in(request: Request, signed_out: bool = False) -> Response:
            token = secrets.token_urlsafe(24)
            response = console.html(
                "sign_in.html", csrf=token, signed_out=signed_out, oidc_ready=oidc.configured(console.settings),
                roles=console.spec.roles, errors={}, values={"tenant": console.spec.default_tenant},
            )
            response.set_cookie(console.sign_in_cookie, token, **console._cookie_options(max_age=900))
            return response

        @router.post("/sign-in")
        async def console_sign_in_development(request: Request) -> Response:
            # Development and test only: in production this form does not exist.
            if console.production:
                return Response(status_code=404)
            form = await request.form()
            expected = request.cookies.get(console.sign_in_cookie, "")
            if not expected or not secrets.compare_digest(expected, str(form.get("csrf_token", ""))):
                raise CsrfRefused()
            role = str(form.get("role", ""))
            tenant = str(form.get("tenant", "")).strip()
            rank = str(form.get("rank", ""))
            errors = {}
            if role not in {value for value, _ in console.spec.roles}:
                errors["role"] = "Choose the role to sign in as."
            if rank and rank not in {value for value, _ in console.spec.ranks}:
                errors["rank"] = "Choose a rank from the list, or none."
            if not re.fullmatch(console.spec.tenant_pattern, tenant):
                errors["tenant"] = console.spec.tenant_hint
            if errors:
                return console.html(
                    "sign_in.html", status=422, csrf=expected, signed_out=False, roles=console.spec.roles,
                    oidc_ready=oidc.configured(console.settings), errors=errors,
                    values={"tenant": tenant, "role": role, "rank": rank},
                )
            runtime = runtime_of(request)
            now = runtime.clock.now()
            # No key_id: the issuer names the key by its thumbprint, the kid the development JWKS file holds.
            issuer = TokenIssuer(
                console.settings.idp_issuer,  # type: ignore[attr-defined]
                console.settings.console_dev_signing_key_file.read_text(),  # type: ignore[attr-defined]
            )
            token = issuer.issue(
                subject=f"console-{role}-{tenant}", audience=console.spec.audience, now=now,
                lifetime=timedelta(hours=console.settings.console_session_max_hours),
                claims={"role": role, console.spec.tenant_claim: tenant, **({"rank": rank} if rank else {})},
            )
            return await console._start_session(request, token, signed_in_page=False)

        @router.get("/sign-in/oidc")
        async def console_sign_in_oidc(request: Request) -> Response:
            if not oidc.configured(console.settings):
                return Response(status_code=404)
            async with httpx.AsyncClient(timeout=10) as http:
                try:
                    where = await oidc.endpoints(console.settings, http)
                except oidc.OidcError as exc:
                    return console.html("message.html", status=502, heading="Sign-in is unavailable", message=str(exc))
            pending = oidc.PendingSignIn.new()
            runtime = runtime_of(request)
            key = await console.sessions.remember_pending(runtime.sessionmaker, pending, runtime.clock.now())
            response = RedirectResponse(oidc.authorization_url(console.settings, where, pending), status_code=303)
            # Lax, not Strict: the identity provider sends the person back with a cross-site navigation.
            response.set_cookie(console.pending_cookie, key, **{**console._cookie_options(max_age=int(PENDING_LIFETIME.total_seconds())), "samesite": "lax"})
            return response

        @router.get("/oidc/callback")
        async def console_oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
            runtime = runtime_of(request)
            pending = await console.sessions.take_pending(
                runtime.sessionmaker, request.cookies.get(console.pending_cookie), runtime.clock.now()
            )
            if pending is None or not code or not secrets.compare_digest(pending.state, state):
                return console.html("message.html", status=400, heading="Sign-in did not complete",
                                    message="The sign-in could not be matched to this browser. Start again.")
            async with httpx.AsyncClient(timeout=10) as http:
                try:
                    where = await oidc.endpoints(console.settings, http)
                    token = await oidc.exchange_code(console.settings, where, http, code, pending)
                except oidc.OidcError as exc:
                    return console.html("message.html", status=502, heading="Sign-in did not complete", message=str(exc))
            response = await console._start_session(request, token, signed_in_page=True)
            response.delete_cookie(console.pending_cookie, path=PREFIX)
            return response

        @router.post("/sign-out")
        async def console_sign_out(request: Request) -> Response:
            form = await request.form()
            runtime = runtime_of(request)
            cookie_id = request.cookies.get(console.session_cookie)
            stored = await console.sessions.get(runtime.sessionmaker, cookie_id, runtime.clock.now())
            if stored is not None:
                if not secrets.compare_digest(stored.csrf, str(form.get("csrf_token", ""))):
                    raise CsrfRefused()
                await console.sessions.end(runtime.sessionmaker, cookie_id)
            response = RedirectResponse(f"{PREFIX}/sign-in?signed_out=true", status_code=303)
            response.delete_cookie(console.session_cookie, path=PREFIX)
            return response

        return router

    async def _start_session(self, request: Request, token: str, *, signed_in_page: bool) -> Response:
        runtime = runtime_of(request)
        try:
            claims = await runtime.verifier.verify(token)
            actor: Actor = runtime.actor_from_claims(claims)
        except InvalidToken:
            return self.html("message.html", status=403, heading="You cannot use this console",
                             message="Your sign-in does not carry a role and organisation this service accepts.")
        if actor.role not in {value for value, _ in self.spec.roles}:
            return self.html("message.html", status=403, heading="You cannot use this console",
                             message="This console is for people; your role is for systems.")
        now = runtime.clock.now()
        cookie_id, _ = await self.sessions.create(runtime.sessionmaker, token, datetime.fromtimestamp(int(claims["exp"]), UTC), now)
        home = f"{PREFIX}{self.spec.home}"
        if signed_in_page:
            # A Strict cookie set on a cross-site redirect is not sent on the next hop of that chain;
            # a page of our own moves the person on as a same-site navigation.
            response: Response = self.html("signed_in.html", home=home)
        else:
            response = RedirectResponse(home, status_code=303)
        response.set_cookie(self.session_cookie, cookie_id, **self._cookie_options(max_age=self.settings.console_session_max_hours * 3600))
        response.delete_cookie(self.sign_in_cookie, path=PREFIX)
        return response

    def _cookie_options(self, *, max_age: int) -> dict[str, Any]:
        return {"max_age": max_age, "path": PREFIX, "httponly": True, "secure": self.production, "samesite": "strict"}

    async def _to_sign_in(self, request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"{PREFIX}/sign-in", status_code=303)

    async def _csrf_refused(self, request: Request, exc: Exception) -> Response:
        return self.html("message.html", status=403, heading="This form has expired",
                         message="The page was open too long or came from elsewhere. Go back, reload the page and try again.")

    async def _refused_page(self, request: Request, exc: Exception) -> Response:
        answer = exc.answer  # type: ignore[attr-defined]
        headings = {404: "Not found", 403: "Your role cannot see this page", 409: "Not possible now"}
        return self.html("message.html", status=answer.status if answer.status in headings else 502,
                         page=getattr(request.state, "console_page", None),
                         heading=headings.get(answer.status, "Something went wrong"), message=answer.detail)


def security_headers() -> dict[str, str]:
    return {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


class Page:
    """One console request: who is signed in, the in-process API as them, and rendering."""

    def __init__(self, console: Console, request: Request, session: ConsoleSession, api: Api) -> None:
        self.console = console
        self.request = request
        self.session = session
        self.api = api

    @property
    def actor(self) -> Actor:
        return self.session.actor

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def may(self, operation: str) -> bool:
        """Whether the access policy lets this role do `operation`: the page offers only what the API allows."""
        return self.actor.role in self.console.spec.policy.get(operation, frozenset())

    def nav(self) -> list[NavItem]:
        return [item for item in self.console.spec.nav if item.operation is None or self.may(item.operation)]

    def role_label(self) -> str:
        return dict(self.console.spec.roles).get(self.actor.role, humanise(self.actor.role))

    async def form(self) -> FormData:
        form = await self.request.form()
        if not secrets.compare_digest(self.session.csrf, str(form.get("csrf_token", ""))):
            raise CsrfRefused()
        return form

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return self.console.html(template, status=status, page=self, **values)

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}{path}", status_code=303)
