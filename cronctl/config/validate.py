"""Rules that span fields or belong to a provider: cron dialects, zones, URLs, IDs, limits."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import cron
from ..targets.runner import validate as validate_runner
from ..urls import base_url_problem, display, path_problem
from . import validate_kubernetes
from .interpolate import has_placeholder
from .model import (
    BusinessJob,
    Defaults,
    FileModel,
    InfrastructureJob,
    KubernetesJob,
    RunnerJob,
    RunnerSettings,
)

if TYPE_CHECKING:
    from .load import _Reporter

# Always with .fullmatch: `$` alone also matches before a trailing newline ("job\n").
JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
LABEL = re.compile(r"^[A-Za-z0-9_.-]+$")
# Zones that depend on the host, or are not real places: refused even when the host has them.
HOST_ZONES = {"localtime", "posixrules", "Factory"}
VERCEL_MAX_CRONS = 100
VERCEL_MAX_PATH = 512


def check(rep: _Reporter, model: FileModel, jobs: dict[str, Any], raw_jobs: dict) -> None:
    for name in raw_jobs:
        if not JOB_NAME.fullmatch(str(name)):
            rep.add(
                ("jobs", str(name)),
                f"job name {name!r} cannot become a QStash schedule ID",
                hint="use letters, digits, '-', '_' and '.', starting with a letter or digit "
                "(at most 100 characters)",
                key=True,
            )
    _zone(rep, ("defaults", "timezone"), model.defaults.timezone)
    _retry_delay(rep, ("defaults", "retry_delay"), model.defaults.retry_delay)
    _headers(rep, ("defaults", "headers"), model.defaults.headers)
    _callbacks_and_labels(rep, ("defaults",), model.defaults)
    if model.base_url and not _unresolved(rep, ("base_url",), model.base_url):
        problem = base_url_problem(model.base_url)
        if problem:
            rep.add(("base_url",), f"base_url {display(model.base_url)!r} {problem}",
                    hint="e.g. https://app.example.com")
    infra = [n for n, j in jobs.items() if isinstance(j, InfrastructureJob)]
    enabled_infra = [n for n in infra if jobs[n].enabled]
    if len(enabled_infra) > VERCEL_MAX_CRONS:
        rep.add(
            ("jobs", enabled_infra[VERCEL_MAX_CRONS]),
            f"{len(enabled_infra)} infrastructure jobs; Vercel allows at most {VERCEL_MAX_CRONS}",
            hint="move some to tier: business (QStash), or disable them",
            key=True,
        )
    business_seen = False
    if model.kubernetes is not None:
        validate_kubernetes.settings(rep, model.kubernetes)
    if model.runner is not None or model.defaults.notify:
        validate_runner.settings(rep, model.runner or RunnerSettings(), model.defaults)
    for name, job in jobs.items():
        base = ("jobs", name)
        if job.renamed_from is not None and job.renamed_from in raw_jobs:
            rep.add((*base, "renamed_from"),
                    f"renamed_from: {job.renamed_from!r} is still a job in this file",
                    hint=f"remove the job {job.renamed_from!r}, or drop renamed_from")
        if isinstance(job, RunnerJob):
            validate_runner.job(rep, base, name, job, model)
            continue
        if job.path is not None:
            _path(rep, (*base, "path"), job.path, infra=isinstance(job, InfrastructureJob))
        if isinstance(job, KubernetesJob):
            _zone(rep, (*base, "timezone"), job.timezone)
            validate_kubernetes.job(rep, base, name, job, model)
        elif isinstance(job, InfrastructureJob):
            _infrastructure(rep, base, job, model.vercel)
        elif isinstance(job, BusinessJob):
            if not business_seen and not model.base_url:
                rep.add(
                    (*base, "tier"),
                    "business jobs need 'base_url' (the app origin QStash delivers to)",
                    hint="add 'base_url: ${APP_URL}' at the top of the file",
                )
            business_seen = True
            _business(rep, base, job)


def _infrastructure(rep: _Reporter, base: tuple, job: InfrastructureJob, vercel) -> None:
    # Stripped, as vercel.json gets it. Cron Jobs: a zone other than UTC is Vercel's error on
    # 'timezone'; Vercel Schedules take an IANA zone (else INVALID_SCHEDULE_TIMEZONE). Job
    # names already match Vercel's schedule-name pattern.
    schedules = vercel.output == "schedules"
    dialect = cron.get_dialect("vercel", plan=vercel.plan, output=vercel.output)
    _cron(rep, base, dialect, job.schedule.strip(), job.timezone)
    if job.jitter is not None and not schedules:
        rep.add((*base, "jitter"), "jitter needs Vercel Schedules",
                hint="set 'vercel: {output: schedules}' or remove 'jitter'")


def _business(rep: _Reporter, base: tuple, job: BusinessJob) -> None:
    prefix_tz, expr = cron.split_tz(job.schedule)
    if prefix_tz:
        rep.add(
            (*base, "schedule"),
            "write the zone in 'timezone', not as a CRON_TZ= prefix",
            hint="e.g. timezone: Europe/Lisbon",
        )
    # Without the prefix, so it is not also reported as "got 6 fields"; an unknown zone is
    # reported once, on 'timezone'.
    tz = job.timezone if job.timezone and cron.is_valid_zone(job.timezone) else None
    _cron(rep, base, cron.get_dialect("qstash"), expr, tz)  # the qstash target's job
    _zone(rep, (*base, "timezone"), job.timezone)
    _headers(rep, (*base, "headers"), job.headers)
    _retry_delay(rep, (*base, "retry_delay"), job.retry_delay)
    _callbacks_and_labels(rep, base, job)


def _callbacks_and_labels(rep: _Reporter, base: tuple, obj: BusinessJob | Defaults) -> None:
    """Sent as headers: refused here when they could not be sent as written."""
    for field in ("callback", "failure_callback"):
        value = getattr(obj, field)
        if not value or _unresolved(rep, (*base, field), value):
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


def _cron(rep: _Reporter, base: tuple, dialect: cron.Dialect, expr: str, tz: str | None) -> None:
    """The job's provider's own cron rules: its refusals are errors, its surprises warnings."""
    for problem in dialect.validate(expr, tz):
        rep.add((*base, problem.field), problem.message, hint=problem.hint,
                severity=problem.severity)


def _path(rep: _Reporter, path: tuple, value: str, *, infra: bool) -> None:
    if _unresolved(rep, path, value):
        return
    problem = path_problem(value)
    if problem:
        rep.add(path, f"path {value!r} {problem}", hint="e.g. /api/cron/cleanup")
    elif infra and len(value) > VERCEL_MAX_PATH:
        rep.add(path, f"path is {len(value)} characters; Vercel allows {VERCEL_MAX_PATH}")


def _unresolved(rep: _Reporter, path: tuple, value: str) -> bool:
    """Still holds an unset ${VAR}: checked once the variable is set. (A `$${` escape is a
    literal `${` and is checked like any other text.)"""
    return has_placeholder(value) and tuple(path) in getattr(rep, "unset_paths", ())


def _zone(rep: _Reporter, path: tuple, value: str | None) -> None:
    if value and (value in HOST_ZONES or value.startswith(("right/", "posix/"))):
        rep.add(path, f"timezone {value!r} depends on the host's configuration",
                hint="use an IANA name such as UTC, Europe/Lisbon or America/New_York")
    elif value and not cron.is_valid_zone(value):
        rep.add(path, f"unknown timezone {value!r}",
                hint="use an IANA name such as UTC, Europe/Lisbon or America/New_York")


def _retry_delay(rep: _Reporter, path: tuple, value: str | None) -> None:
    """The same safe parser `cronctl dev` evaluates the expression with."""
    if not value or _unresolved(rep, path, value):
        return
    if not _sendable(value):
        rep.add(path, "retry_delay contains a line break, tab or non-ASCII character",
                hint="write the expression on one line, e.g. 'pow(2, retried) * 1000'")
        return
    from ..retrydelay import compile_delay

    try:
        compile_delay(value)
    except ValueError as exc:
        rep.add(path, f"invalid retry-delay expression: {exc}",
                hint="milliseconds, e.g. 'pow(2, retried) * 1000' (numbers, retried, + - * /, "
                "pow, sqrt, abs, exp, floor, ceil, round, min, max)")


def _headers(rep: _Reporter, path: tuple, headers: dict) -> None:
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name):
            rep.add((*path, name), f"{name!r} is not a valid HTTP header name",
                    hint="letters, digits and '-', e.g. X-Api-Key", key=True)
        elif value is not None and not _unresolved(rep, (*path, name), value):
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


_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def _sendable(value: str) -> bool:
    """Printable ASCII and spaces only: what an HTTP header carries unchanged."""
    return bool(_PRINTABLE.fullmatch(value))
