"""The runner target's rules beyond the shape: what it calls or runs, its cron (robfig, as
Kubernetes parses it) and zone, headers, notification URLs and its `runner:` settings. Each
problem is reported with file:line through the config's one Reporter."""

from __future__ import annotations

import re
from typing import Any

from ... import cron
from ...config import validate as common
from ...config.diagnostics import Reporter
from ...urls import base_url_problem, display

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_LISTEN = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):(\d{1,5})$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def job(rep: Reporter, base: tuple, name: str, spec: Any, ctx: Any) -> None:
    model = ctx.model
    if spec.path is None and not spec.command:
        rep.add(base, "a runner job needs 'path' (an HTTP call on base_url) or 'command' "
                "(a program to run)", hint="e.g. path: /api/cron/cleanup, or command: "
                "[python, manage.py, cleanup]", key=True)
    if spec.path is not None and spec.command:
        rep.add((*base, "command"), "a runner job calls a path or runs a command, not both",
                hint="split it into two jobs")
    if spec.command is not None and (not spec.command or not spec.command[0].strip()):
        rep.add((*base, "command"), "command is empty",
                hint="a list of strings, the program first, e.g. [python, manage.py, cleanup]")
    if spec.path is not None:
        settings = model.runner
        if not (settings and settings.base_url) and not model.base_url:
            rep.add((*base, "path"), "HTTP runner jobs need a base URL (where the app is)",
                    hint="add 'base_url: ${APP_URL}' at the top, or runner: {base_url: ...}")
        common.path(rep, (*base, "path"), spec.path)
    if spec.command is None:
        for key in ("env", "pass_env", "workdir"):
            if getattr(spec, key):
                rep.add((*base, key), f"{key} applies to command jobs only",
                        hint="remove it, or give the job a command")
    elif spec.body is not None or spec.headers or spec.method:
        key = "body" if spec.body is not None else "headers" if spec.headers else "method"
        rep.add((*base, key), f"{key} applies to HTTP jobs only (this job runs a command)",
                hint="remove it, or call a path instead")
    expr = cron.trim(spec.schedule)
    if "TZ=" in expr:
        rep.add((*base, "schedule"), "write the zone in 'timezone', not as a CRON_TZ= prefix",
                hint="e.g. timezone: Europe/Lisbon")
    else:
        tz = spec.timezone if spec.timezone and cron.is_valid_zone(spec.timezone) else None
        for problem in cron.get_dialect("kubernetes").validate(expr, tz):
            rep.add((*base, problem.field), problem.message.replace("Kubernetes", "the runner"),
                    hint=problem.hint and problem.hint.replace(
                        "Kubernetes parses", "the runner parses (as Kubernetes does)"),
                    severity=problem.severity)
    common.zone(rep, (*base, "timezone"), spec.timezone)
    _headers(rep, (*base, "headers"), spec.headers)
    notify(rep, (*base, "notify"), spec.notify)
    if spec.jitter and spec.starting_deadline is not None and \
            spec.jitter > spec.starting_deadline:
        rep.add((*base, "jitter"), "jitter is longer than starting_deadline, so a run could "
                "start after its deadline", hint="make jitter shorter", severity="warning")


def _headers(rep: Reporter, at: tuple, headers: dict) -> None:
    for name, value in headers.items():
        if name.lower() == "authorization":
            rep.add((*at, name), "the runner sends Authorization itself (Bearer $CRON_SECRET)",
                    hint="remove the header; export CRON_SECRET", key=True)
        elif not _HEADER_NAME.fullmatch(name):
            rep.add((*at, name), f"{name!r} is not a valid HTTP header name",
                    hint="letters, digits and '-', e.g. X-Api-Key", key=True)
        elif value is not None and not common.unresolved(rep, (*at, name), value) and (
                not _PRINTABLE.fullmatch(value) or value != value.strip()):
            # never the value itself: it may be a secret
            rep.add((*at, name), "header value has a line break, a control or non-ASCII "
                    "character, or a space at either end",
                    hint="use printable ASCII; check the environment variable it comes from")


def notify(rep: Reporter, at: tuple, urls: list[str] | None) -> None:
    for i, url in enumerate(urls or ()):
        if not _SCHEME.fullmatch(url.strip()):
            rep.add((*at, i), "not a notification URL (apprise's scheme://...)",
                    hint="e.g. slack://T000/B000/XXXX, mailto://user:pass@example.com, "
                    "json://hooks.example.com/cron")


def settings(rep: Reporter, ctx: Any) -> None:
    s = ctx.model.runner
    if s is None:
        return
    base = ("runner",)
    db = s.database.strip()
    if "://" in db and not db.startswith(("postgresql://", "postgres://", "sqlite://")):
        rep.add((*base, "database"), f"unsupported database {display(db)!r}",
                hint="a SQLite path (default .cronctl/runner.sqlite3) or postgresql://...")
    if s.base_url and not common.unresolved(rep, (*base, "base_url"), s.base_url):
        problem = base_url_problem(s.base_url)
        if problem:
            rep.add((*base, "base_url"), f"base_url {display(s.base_url)!r} {problem}",
                    hint="e.g. http://app:3000")
    m = _LISTEN.fullmatch(s.listen)
    if s.listen and (not m or int(m.group(2)) > 65535):
        rep.add((*base, "listen"), f"listen {s.listen!r} is not host:port",
                hint="e.g. 0.0.0.0:9464, or '' for no health server")
    notify(rep, (*base, "notify"), s.notify)
