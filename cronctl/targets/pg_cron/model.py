"""The pg_cron target's part of schedules.yaml: `target: pg_cron` jobs and the top-level
`pg_cron:` settings, and how a job becomes the `Job` the target plans with. Light: `cronctl
validate` imports it.

No `from __future__ import annotations`: shape.py reads these annotations as objects.
"""

import re
from dataclasses import dataclass
from typing import Any, Literal

from ...config.model import Duration, JobFields, MethodField
from ...config.shape import spec
from ...errors import ConfigError


@spec
class PgCronJob(JobFields):
    """A job of the pg_cron target: an HTTP call (`path` on the base URL, through pg_net) or
    SQL (`sql`), run by pg_cron in the database. Schedules are in UTC."""

    path: str | None = None  # type: ignore[assignment]
    """An HTTP job's path: pg_net calls `pg_cron.base_url` (or `base_url`) + path, with
    `Authorization: Bearer` read from `pg_cron.bearer` when the job runs."""
    sql: str | None = None
    """A SQL job's statement(s), run by pg_cron in its database, e.g. `CALL refresh()`."""
    method: MethodField | None = None
    """An HTTP job's method: `POST` (default, `net.http_post`) or `GET` (`net.http_get`)."""
    body: dict[str, Any] | list[Any] | None = None
    """A POST's body, sent as JSON (pg_net's jsonb); default `{}`."""
    timeout: Duration | None = None
    """How long pg_net waits for the app (its `timeout_milliseconds`; its default 5s)."""


@spec
class PgCronSettings:
    """`pg_cron:` at the top level of schedules.yaml."""

    database_url: str | None = None
    """The database pg_cron runs in (its `cron.database_name`), e.g. `${SUPABASE_DB_URL}`;
    unset: the `PG_CRON_DATABASE_URL` environment variable."""
    base_url: str | None = None
    """Where HTTP jobs call (default: the top-level `base_url`)."""
    bearer: str = "vault:cron_secret"
    """Where a job reads the bearer when it runs: `vault:<name>` (Supabase Vault),
    `setting:<name>` (a database setting, `current_setting`) or `none`; never the value."""
    version: Literal["1.4", "1.5", "1.6"] = "1.6"
    """The server's pg_cron: its schedule grammar (1.5: `'N seconds'`; 1.6: `$`)."""


HINTS = {
    "sql": "SQL to run, e.g. \"CALL refresh_reports()\" or \"DELETE FROM sessions WHERE ...\"",
    "method": "GET or POST (pg_net's net.http_get and net.http_post)",
    "body": "a mapping or list, sent as JSON",
    "timeout": "a duration like 5s or 30s (pg_net's timeout_milliseconds)",
    "database_url": "postgresql://user:password@host:5432/postgres, e.g. ${SUPABASE_DB_URL}",
    "bearer": "vault:<secret name>, setting:<name> or none, e.g. vault:cron_secret",
    "version": "the server's pg_cron version: 1.4, 1.5 or 1.6",
}
LIMITS = ("is not supported by the pg_cron target", "a pg_cron job takes path (with method, "
          "body, timeout) or sql; its schedule is in UTC (pg_cron has no per-job timezone)")
ENV_URL = "PG_CRON_DATABASE_URL"


@dataclass(frozen=True)
class PgCronJobSpec:
    """The pg_cron target's own part of a loaded job: the validated job as written."""

    model: PgCronJob

    def secrets(self) -> list[str]:
        return []  # the bearer is read in the database, never held here


def build(job: PgCronJob, ctx: Any) -> dict[str, Any]:
    return {"timezone": "UTC", "spec": PgCronJobSpec(job)}


def dialect(settings: Any):
    from .dialect import PgCronDialect

    return PgCronDialect(settings.version if settings is not None else "1.6")


def reads(jobs: list) -> set[str]:
    keys = {"pg_cron"} if jobs else set()
    return keys | ({"base_url"} if any(j.path for j in jobs) else set())


def settings_of(config: Any) -> PgCronSettings:
    return config.settings.get("pg_cron") or PgCronSettings()


_SETTING = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$.]*$")


def parse_bearer(bearer: str) -> tuple[str, str]:
    """`vault:<name>`, `setting:<name>` or `none` -> (kind, name); ConfigError otherwise."""
    kind, _, name = bearer.strip().partition(":")
    if kind == "none" and not name:
        return "none", ""
    if kind == "vault" and name.strip():
        return kind, name.strip()
    if kind == "setting" and _SETTING.fullmatch(name.strip()):
        return kind, name.strip()
    raise ConfigError(f"pg_cron.bearer {bearer!r} is not vault:<name>, setting:<name> or none",
                      hint="e.g. bearer: vault:cron_secret (Supabase Vault), or "
                      "setting:app.cron_secret (ALTER DATABASE ... SET app.cron_secret = ...)")
