"""The qstash target's rules: its cron dialect, and what QStash can send as written (headers,
labels, callbacks, retry delays), for its jobs and the file's `defaults:`."""

from __future__ import annotations

import re
from typing import Any

from ... import cron
from ...config.diagnostics import Reporter
from ...config.validate import cron_rules, unresolved, zone
from ...urls import base_url_problem, display, path_problem

HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
LABEL = re.compile(r"^[A-Za-z0-9_.-]+$")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def settings(rep: Reporter, ctx: Any) -> None:
    d = ctx.model.defaults
    zone(rep, ("defaults", "timezone"), d.timezone)
    retry_delay(rep, ("defaults", "retry_delay"), d.retry_delay)
    headers(rep, ("defaults", "headers"), d.headers)
    callbacks_and_labels(rep, ("defaults",), d)


def job(rep: Reporter, base: tuple, name: str, j: Any, ctx: Any) -> None:
    if ctx.once("qstash base_url") and not ctx.model.base_url:  # said for the first job
        rep.add(
            (*base, "tier"),
            "business jobs need 'base_url' (the app origin QStash delivers to)",
            hint="add 'base_url: ${APP_URL}' at the top of the file",
        )
    prefix_tz, expr = cron.split_tz(j.schedule)
    if prefix_tz:
        rep.add(
            (*base, "schedule"),
            "write the zone in 'timezone', not as a CRON_TZ= prefix",
            hint="e.g. timezone: Europe/Lisbon",
        )
    # Without the prefix, so it is not also reported as "got 6 fields"; an unknown zone is
    # reported once, on 'timezone'.
    tz = j.timezone if j.timezone and cron.is_valid_zone(j.timezone) else None
    cron_rules(rep, base, cron.get_dialect("qstash"), expr, tz)
    zone(rep, (*base, "timezone"), j.timezone)
    headers(rep, (*base, "headers"), j.headers)
    retry_delay(rep, (*base, "retry_delay"), j.retry_delay)
    callbacks_and_labels(rep, base, j)


def callbacks_and_labels(rep: Reporter, base: tuple, obj: Any) -> None:
    """Sent as headers: refused here when they could not be sent as written."""
    for field in ("callback", "failure_callback"):
        value = getattr(obj, field)
        if not value or unresolved(rep, (*base, field), value):
            continue
        problem = (path_problem(value) if value.startswith("/")
                   else base_url_problem(value, query=True))
        if problem:
            rep.add((*base, field), f"{field} {display(value)!r} {problem}",
                    hint="a path such as /api/cron/done, or https://hooks.example.com/x")
    for i, label in enumerate(obj.labels or ()):
        if not LABEL.fullmatch(label):
            rep.add((*base, "labels", i), f"label {label!r} has characters QStash refuses",
                    hint="use letters, digits, '-', '_' and '.'")


def retry_delay(rep: Reporter, path: tuple, value: str | None) -> None:
    """The same safe parser `cronctl dev` evaluates the expression with."""
    if not value or unresolved(rep, path, value):
        return
    if not _sendable(value):
        rep.add(path, "retry_delay contains a line break, tab or non-ASCII character",
                hint="write the expression on one line, e.g. 'pow(2, retried) * 1000'")
        return
    from .retrydelay import compile_delay

    try:
        compile_delay(value)
    except ValueError as exc:
        rep.add(path, f"invalid retry-delay expression: {exc}",
                hint="milliseconds, e.g. 'pow(2, retried) * 1000' (numbers, retried, + - * /, "
                "pow, sqrt, abs, exp, floor, ceil, round, min, max)")


def headers(rep: Reporter, path: tuple, values: dict) -> None:
    for name, value in values.items():
        if not HEADER_NAME.fullmatch(name):
            rep.add((*path, name), f"{name!r} is not a valid HTTP header name",
                    hint="letters, digits and '-', e.g. X-Api-Key", key=True)
        elif value is not None and not unresolved(rep, (*path, name), value):
            # Never the value itself: it may be a secret.
            if any(c in value for c in "\r\n\0"):
                why = "contains a line break or NUL"
            elif not _sendable(value):
                why = "contains a tab, control or non-ASCII character"
            elif value != value.strip():
                why = "has a space at either end (HTTP drops it, so it would never match)"
            else:
                continue
            rep.add((*path, name), f"header value {why}",
                    hint="use printable ASCII (percent-encode or base64 other text); check the "
                    "environment variable it comes from")


def _sendable(value: str) -> bool:
    """Printable ASCII and spaces only: what an HTTP header carries unchanged."""
    return bool(_PRINTABLE.fullmatch(value))
