"""What every page of `cronctl ui` shares: sessions, roles, CSRF, security headers, and errors
shown as one sentence (never a traceback or a secret). The routes live in pages.py,
controls.py, editor.py and plan.py; app.py puts them together."""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..errors import CronctlError
from ..output import redact
from ..words import article
from .audit import Audit
from .auth import Auth, Session, User, csrf_ok
from .board import Board

HERE = Path(__file__).parent
COOKIE = "cronctl_ui"
log = logging.getLogger("cronctl.ui")


@dataclass
class UI:
    """What every request shares."""

    board: Board
    auth: Auth
    audit: Audit
    secure: bool = False  # served over TLS: the cookie is Secure too
    poll_s: float = 10.0  # how often open pages refresh themselves
    debug: bool = False
    pending: dict[str, Any] = field(default_factory=dict)  # run ID -> (job, TriggerResult)
    bearer_seen: dict[tuple[str, str], float] = field(default_factory=dict)  # audited when
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True)
        from . import filters

        self.env.filters.update(filters.FILTERS)
        self.env.globals["dict"] = dict


class Denied(Exception):
    """403: signed in, but the role does not allow it (or the CSRF token is missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginNeeded(Exception):
    pass


def ui_of(request: Request) -> UI:
    return request.app.state.ui


class SignInRefused(Exception):
    """A token presented too often from one address (429), or not valid (401)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


BEARER_AUDIT_S = 3600.0  # a script's good token: audited at its first use, then hourly


def sign_in(ui: UI, token: str, client: str, via: str) -> User:
    """Every way a token is presented (the login form, `Authorization: Bearer`) passes here:
    one limit of failed attempts per client address, and one audit trail."""
    wait = ui.auth.logins.take(client, count=False)  # failures count, below
    if wait is not None:  # even a right token: it would end a guessing run
        if ui.auth.logins.take(f"audited {client}", count=False) is None:
            # a flood of refusals: at most the limit's count of lines a window, not one each
            ui.auth.logins.take(f"audited {client}", count=True)
            ui.audit.record("-", "login", ok=False, detail=f"refused ({via}, too many failed "
                            f"attempts) from {client}")
        raise SignInRefused(429, f"Too many sign-in attempts; try again in {wait:.0f} s.",
                            wait)
    user = ui.auth.check_token(token)
    if user is None:
        ui.auth.logins.take(client)
        ui.audit.record("-", "login", ok=False, detail=f"a wrong token ({via}) from {client}")
        raise SignInRefused(401, "That token is not valid.")
    if via == "form":
        ui.audit.record(user.name, "login", detail=f"role {user.role}, from {client}")
    else:
        key, now = (user.name, client), time.monotonic()
        last = ui.bearer_seen.get(key)
        if last is None or now - last >= BEARER_AUDIT_S:
            ui.bearer_seen[key] = now
            ui.audit.record(user.name, "login", detail=f"role {user.role}, {via}, from "
                            f"{client}")
    return user


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def session_of(request: Request) -> Session | None:
    """The request's session: its cookie's, or on /api/ a bearer token's (checked once per
    request, through `sign_in`)."""
    cached = request.scope.get("cronctl.session", _NONE)
    if cached is not _NONE:
        return cached
    ui = ui_of(request)
    s = ui.auth.session(request.cookies.get(COOKIE))
    if s is None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and request.url.path.startswith("/api/"):
            user = sign_in(ui, header[7:].strip(), client_of(request), "bearer")
            # a script: no cookie, so no CSRF to forge
            s = Session(user, csrf="", created=0, seen=0)
    request.scope["cronctl.session"] = s
    return s


_NONE = object()


def need(request: Request, role: str = "viewer") -> Session:
    s = session_of(request)
    if s is None:
        raise LoginNeeded()
    if not s.user.may(role):
        raise Denied(f"{s.user.name} is {article(s.user.role)} {s.user.role}; this needs the "
                     f"{role} role")
    return s


async def need_post(request: Request, role: str) -> tuple[Session, Any]:
    """A change: signed in with `role`, and the session's CSRF token in the form (or the
    X-CSRF-Token header). A bearer-token script sends no cookie, so it needs none."""
    s = need(request, role)
    form = await form_of(request)
    if s.csrf:
        given = form.get("csrf") or request.headers.get("x-csrf-token")
        if not csrf_ok(s, given):
            raise Denied("the form's CSRF token is missing or out of date; reload the page "
                         "and try again")
    return s, form


MAX_FORM = 256 * 1024


async def form_of(request: Request) -> dict[str, str]:
    """A urlencoded form (the only kind the pages send), first value of each field."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPException(413, "the form is too large")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ui = ui_of(request)
    s = session_of(request)
    html = ui.env.get_template(name).render(
        user=s.user if s else None, csrf=s.csrf if s else "", path=request.url.path,
        poll_s=ui.poll_s, **ctx)
    return HTMLResponse(html, status_code=status)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or \
        "application/json" in request.headers.get("accept", "")


def error(request: Request, status: int, message: str, hint: str | None = None) -> Response:
    message, hint = redact(message), redact(hint) if hint else None
    if wants_json(request):
        return JSONResponse({"error": message, "hint": hint}, status_code=status)
    return render(request, "error.html", status, message=message, hint=hint)


async def login_needed(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return JSONResponse({"error": "sign in first", "hint": None}, status_code=401)
    return RedirectResponse("/login", status_code=303)


async def sign_in_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRefused)
    if wants_json(request):
        response: Response = JSONResponse({"error": exc.message, "hint": None},
                                          status_code=exc.status)
    else:
        request.scope["cronctl.session"] = None
        response = render(request, "login.html", exc.status, problem=exc.message)
    if exc.retry_after is not None:
        response.headers["retry-after"] = str(max(1, round(exc.retry_after)))
    return response


async def denied(request: Request, exc: Exception) -> Response:
    return error(request, 403, str(getattr(exc, "message", exc)))


async def cronctl_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CronctlError)
    status = 409 if type(exc).__name__ == "SafetyError" else 400
    return error(request, status, exc.message, exc.hint)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(request, exc.status_code, exc.detail or "not found")


async def crash(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server's console (scrubbed), never to the browser.
    log.error("%s", redact("".join(traceback.format_exception(exc))))
    return error(request, 500, "the server could not do this (the details are in the "
                 "console of 'cronctl ui')", "try again; if it persists, run 'cronctl ui "
                 "--debug' and report what it prints")


class Guard:
    """ASGI middleware: security headers on every answer; a POST from another origin refused."""

    HEADERS = [
        (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
         b"style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
         b"base-uri 'none'; object-src 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        if scope["method"] not in ("GET", "HEAD") and not _same_origin(headers):
            body = b"refused: this change comes from another site"
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain"), *self.HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        started = time.perf_counter()

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                # Server-Timing: the server's own time for this answer (bench/ui_jobs.py)
                took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *self.HEADERS,
                                      (b"server-timing", took)]
            await send(message)

        # Starlette already answered (the `crash` handler logged it, scrubbed) and raises
        # again for the server to log: uvicorn would print the raw traceback.
        with contextlib.suppress(Exception):
            await self.app(scope, receive, send_with_headers)


def _same_origin(headers: dict[str, str]) -> bool:
    origin = headers.get("origin")
    if not origin:
        return True  # no Origin (an old browser or a script): the CSRF token decides
    return origin != "null" and urlsplit(origin).netloc == headers.get("host", "")


def user_of(request: Request) -> User | None:
    s = session_of(request)
    return s.user if s else None
