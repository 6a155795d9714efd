"""The pg_cron target's rules beyond the shape: a job is an HTTP call (GET or POST through
pg_net) or SQL; its schedule in pg_cron's dialect (UTC, the server's version); the bearer's
source and the database in `pg_cron:`. Each problem is reported with file:line."""

from __future__ import annotations

from typing import Any

from ... import cron
from ...config import validate as common
from ...config.diagnostics import Reporter
from ...errors import ConfigError
from ...urls import base_url_problem, display
from .dialect import PgCronDialect
from .model import PgCronSettings, parse_bearer


def job(rep: Reporter, base: tuple, name: str, spec: Any, ctx: Any) -> None:
    settings = ctx.model.pg_cron or PgCronSettings()
    if (spec.path is None) == (spec.sql is None):
        rep.add(base if spec.path is None else (*base, "sql"),
                "a pg_cron job needs 'path' (an HTTP call through pg_net) or 'sql'"
                if spec.path is None else "a pg_cron job calls a path or runs SQL, not both",
                hint="e.g. path: /api/cron/cleanup, or sql: \"CALL refresh_reports()\"",
                key=spec.path is None)
    if spec.sql is not None:
        if not spec.sql.strip():
            rep.add((*base, "sql"), "sql is empty", hint="the SQL to run, e.g. \"VACUUM\"")
        for key in ("method", "body", "timeout"):
            if getattr(spec, key) is not None:
                rep.add((*base, key), f"{key} applies to HTTP jobs only (this job runs SQL)",
                        hint="remove it, or call a path instead")
    if spec.path is not None:
        if not settings.base_url and not ctx.model.base_url:
            rep.add((*base, "path"), "HTTP pg_cron jobs need a base URL (where the app is)",
                    hint="add 'base_url: ${APP_URL}' at the top, or pg_cron: {base_url: ...}")
        if spec.method not in (None, "GET", "POST"):
            rep.add((*base, "method"), f"pg_cron calls the app through pg_net, which has "
                    f"net.http_get and net.http_post, not {spec.method}",
                    hint="use GET or POST")
        if spec.timeout is not None and not 1 <= spec.timeout <= MAX_TIMEOUT_S:
            rep.add((*base, "timeout"), f"pg_net takes a timeout from 1s to {MAX_TIMEOUT_S}s "
                    f"(timeout_milliseconds is an int), not {spec.timeout}s",
                    hint="e.g. timeout: 30s (pg_net's default is 5s)")
        if spec.body is not None and spec.method == "GET":
            rep.add((*base, "body"), "a GET has no body (net.http_get takes none)",
                    hint="use method: POST, or remove the body")
    jobname = f"cronctl.{ctx.model.project}.{name}"
    if settings.version == "1.4" and len(jobname.encode()) > NAME_BYTES:
        rep.add(base, f"the pg_cron job name {jobname!r} is {len(jobname.encode())} bytes; "
                f"pg_cron 1.4 keeps job names as PostgreSQL names, cut at {NAME_BYTES}",
                hint="shorten the job's name (or the project's), or use pg_cron 1.5 or later "
                "(text job names)", key=True)
    for problem in PgCronDialect(settings.version).validate(cron.trim(spec.schedule)):
        rep.add((*base, problem.field), problem.message, hint=problem.hint,
                severity=problem.severity)


# pg_cron 1.4's cron.job.jobname is of type name (63 bytes; 1.5 made it text): a longer name
# would be cut, and cronctl would no longer find the job it made.
NAME_BYTES = 63
# pg_net's timeout_milliseconds is an int: a larger literal is a bigint, which binds to no
# net.http_get/http_post, so every run would fail in the database.
MAX_TIMEOUT_S = (2**31 - 1) // 1000
# Supabase: "For best performance, we recommend no more than 8 Jobs run concurrently. Each Job
# should run no more than 10 minutes." (https://supabase.com/docs/guides/cron, read 2026-12-08)
CONCURRENT = 8


def concurrency(rep: Reporter, ctx: Any) -> None:
    """A warning when more than 8 jobs can start in the same minute of the day (interval jobs
    start in every minute): those runs overlap unless each is short."""
    from . import entry as pg

    version = (ctx.model.pg_cron or PgCronSettings()).version
    per_minute = [0] * 1440
    first: dict[int, str] = {}
    for name, job in ctx.jobs_of("pg_cron").items():
        found = pg.parse(cron.trim(job.schedule), PgCronDialect(version).parsed_version)
        if found is None or found.reboot or not job.enabled:
            continue
        minutes = range(1440) if found.seconds else [
            h * 60 + m for h in range(24) if found.hour >> h & 1
            for m in range(60) if found.minute >> m & 1]
        for minute in minutes:
            per_minute[minute] += 1
            first.setdefault(minute, name)
    busiest = max(range(1440), key=per_minute.__getitem__)
    if per_minute[busiest] > CONCURRENT:
        rep.add(("jobs", first[busiest], "schedule"),
                f"{per_minute[busiest]} pg_cron jobs can start at {busiest // 60:02d}:"
                f"{busiest % 60:02d} UTC; Supabase recommends no more than {CONCURRENT} jobs "
                "running at once, each for at most 10 minutes (supabase.com/docs/guides/cron, "
                "read 2026-12-08)",
                hint="spread their minutes, or make long work a call to the app",
                severity="warning")


def settings(rep: Reporter, ctx: Any) -> None:
    concurrency(rep, ctx)
    s = ctx.model.pg_cron
    if s is None:
        return
    base = ("pg_cron",)
    url = (s.database_url or "").strip()
    if url and not common.unresolved(rep, (*base, "database_url"), url) and \
            not url.startswith(("postgresql://", "postgres://")):
        rep.add((*base, "database_url"), "database_url is not a postgresql:// URL",
                hint="e.g. ${SUPABASE_DB_URL} (Supabase: Project Settings > Database > "
                "Connection string, session pooler or direct)")
    try:
        parse_bearer(s.bearer)
    except ConfigError as exc:
        rep.add((*base, "bearer"), str(exc), hint=exc.hint)
    if s.base_url and not common.unresolved(rep, (*base, "base_url"), s.base_url):
        found = base_url_problem(s.base_url)
        if found:
            rep.add((*base, "base_url"), f"base_url {display(s.base_url)!r} {found}",
                    hint="e.g. https://app.example.com")
