"""The Starlette app of `cronctl ui`: every route, the static files, and the error handlers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..errors import CronctlError
from . import controls, editor, pages, plan, web
from .web import UI


def build(ui: UI) -> web.Guard:
    routes = [*pages.routes(), *controls.routes(), *editor.routes(), *plan.routes(),
              Mount("/static", StaticFiles(directory=web.HERE / "static"), name="static")]
    app = Starlette(routes=routes, debug=False, exception_handlers={
        web.LoginNeeded: web.login_needed, web.Denied: web.denied,
        web.SignInRefused: web.sign_in_refused,
        CronctlError: web.cronctl_error, HTTPException: web.http_error, Exception: web.crash})
    app.state.ui = ui
    return web.Guard(app)
