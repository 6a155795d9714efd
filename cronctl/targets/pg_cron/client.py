"""pg_cron's SQL interface, through psycopg 3: the jobs (`cron.job`), their runs
(`cron.job_run_details`), and the functions that change them (`cron.schedule`,
`cron.unschedule`, `cron.alter_job`). Every query cronctl sends to pg_cron is here.

cron.job and cron.job_run_details have row-level security: a role sees and changes only its
own jobs, so the jobs of other roles are out of reach, and those of other names are never
asked for by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...errors import ConfigError, ProviderError

# This role's jobs only: a superuser (Supabase's postgres is not one; a self-hosted server's
# often is) sees every role's rows, and cron.schedule upserts on (jobname, username), so
# another role's job is never cronctl's, whatever its name.
JOBS = ("SELECT jobid, jobname, schedule, command, active, database, username FROM cron.job "
        "WHERE username = current_user")
RUNS = """SELECT d.runid, j.jobname, d.status, d.return_message, d.start_time, d.end_time
FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
WHERE j.jobname = ANY(%(names)s) AND j.username = current_user
  AND d.start_time >= %(since)s
  AND (%(until)s::timestamptz IS NULL OR d.start_time < %(until)s)
  AND (%(statuses)s::text[] IS NULL OR d.status = ANY(%(statuses)s))
ORDER BY d.start_time DESC, d.runid DESC LIMIT %(limit)s"""


@dataclass(frozen=True)
class LiveJob:
    jobid: int
    jobname: str | None
    schedule: str
    command: str
    active: bool
    database: str
    username: str


@dataclass(frozen=True)
class RunRow:
    runid: int
    jobname: str
    status: str  # starting | running | sending | connecting | succeeded | failed
    message: str | None
    start: datetime | None
    end: datetime | None


def display_url(url: str) -> str:
    """The URL without its password, for messages (however the password is written)."""
    from ...secrets import mask_dsn

    return mask_dsn(url)


class PgCron:
    """One connection to the database pg_cron runs in (autocommit; a transaction per change)."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:  # pragma: no cover - the extra is missing
            raise ConfigError("the pg_cron target needs psycopg",
                              hint="pip install 'cronctl[pg_cron]'") from None
        self.url = url
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10,
                                        application_name="cronctl")
        except psycopg.Error as exc:
            raise ProviderError(f"cannot connect to {display_url(url)}: "
                                f"{self._masked(_first_line(exc))}",
                                hint="check pg_cron.database_url (or PG_CRON_DATABASE_URL); "
                                "percent-encode a password's '/', '@', '?' or '#'") from None
        self.requests = 0

    def close(self) -> None:
        self.conn.close()

    def query(self, sql: str, params: Any = ()) -> list[tuple]:
        self.requests += 1
        try:
            cur = self.conn.execute(sql, params)
            return cur.fetchall() if cur.description else []
        except self._psycopg.errors.UndefinedTable:
            raise ProviderError(f"{display_url(self.url)} has no pg_cron (cron.job is missing)",
                                hint="CREATE EXTENSION pg_cron in the database named by "
                                "cron.database_name (Supabase: Integrations > Cron)") from None
        except self._psycopg.Error as exc:
            raise ProviderError(f"pg_cron: {self._masked(_first_line(exc))}") from None

    def _masked(self, text: str) -> str:
        from ...secrets import mask_dsn

        return mask_dsn(self.url, text)

    def transaction(self, statements: list[tuple[str, Any]]) -> None:
        """Run these statements in one transaction: all of them, or none."""
        self.requests += 1
        try:
            with self.conn.transaction():
                for sql, params in statements:
                    self.conn.execute(sql, params)
        except self._psycopg.Error as exc:
            raise ProviderError(f"pg_cron: {self._masked(_first_line(exc))}") from None

    # -- reads ------------------------------------------------------------------------------
    def version(self) -> str | None:
        rows = self.query("SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
        return rows[0][0] if rows else None

    def jobs(self) -> list[LiveJob]:
        return [LiveJob(*r) for r in self.query(JOBS + " ORDER BY jobid")]

    def runs(self, names: list[str], since: datetime, until: datetime | None = None,
             statuses: list[str] | None = None, limit: int = 50) -> list[RunRow]:
        if not names:
            return []
        rows = self.query(RUNS, {"names": names, "since": since, "until": until,
                                 "statuses": statuses, "limit": limit})
        return [RunRow(*r) for r in rows]

    def run_details_count(self) -> tuple[int, datetime | None]:
        """How many rows cron.job_run_details holds (this role's), and the oldest's start."""
        rows = self.query("SELECT count(*), min(start_time) FROM cron.job_run_details")
        return rows[0][0], rows[0][1]

    def setting(self, name: str) -> str | None:
        return self.query("SELECT current_setting(%s, true)", (name,))[0][0]

    # -- writes -----------------------------------------------------------------------------
    @staticmethod
    def schedule(jobname: str, schedule: str, command: str) -> tuple[str, Any]:
        """cron.schedule(name, ...): an upsert on the job name (and the role)."""
        return "SELECT cron.schedule(%s, %s, %s)", (jobname, schedule, command)

    @staticmethod
    def set_active(jobname: str, active: bool) -> tuple[str, Any]:
        return ("SELECT cron.alter_job(jobid, active := %s) FROM cron.job "
                "WHERE jobname = %s AND username = current_user", (active, jobname))

    @staticmethod
    def unschedule(jobid: int) -> tuple[str, Any]:
        return "SELECT cron.unschedule(%s::bigint)", (jobid,)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
