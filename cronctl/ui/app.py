"""The Starlette app of `cronctl ui`: every route, the static files, and the error handlers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import CronctlError
from . import controls, editor, pages, plan, web
from .web import UI


async def favicon(request: Request) -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links: the same small SVG."""
    return FileResponse(web.HERE / "static" / "favicon.svg", media_type="image/svg+xml")


def build(ui: UI) -> web.Guard:
    routes = [*pages.routes(), *controls.routes(), *editor.routes(), *plan.routes(),
              Route("/favicon.ico", favicon),
              Mount("/static", StaticFiles(directory=web.HERE / "static"), name="static")]
    app = Starlette(routes=routes, debug=False, exception_handlers={
        web.LoginNeeded: web.login_needed, web.Denied: web.denied,
        web.SignInRefused: web.sign_in_refused,
        CronctlError: web.cronctl_error, HTTPException: web.http_error, Exception: web.crash})
    app.state.ui = ui
    return web.Guard(app)
