"""The ledger's rows (the SQL schema, the records read from it, unix ms times) and where it
lives (a SQLite path or a PostgreSQL URL)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS job_executions (
        run_id TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        scheduled_at BIGINT NOT NULL,
        triggered_by TEXT NOT NULL,
        user_name TEXT,
        replica TEXT,
        started_at BIGINT,
        finished_at BIGINT,
        outcome TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        http_status INTEGER,
        exit_code INTEGER,
        duration_ms BIGINT,
        result TEXT,
        error TEXT,
        lease_until BIGINT,
        cancel INTEGER NOT NULL DEFAULT 0,
        UNIQUE (job, scheduled_at))""",
    "CREATE INDEX IF NOT EXISTS job_executions_outcome ON job_executions (outcome, job)",
    """CREATE TABLE IF NOT EXISTS job_state (
        job TEXT PRIMARY KEY,
        paused INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        resumed_at BIGINT,
        last_success BIGINT)""",
    """CREATE TABLE IF NOT EXISTS runner_jobs (
        job TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        loaded_at BIGINT NOT NULL,
        loaded_by TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS runner_replicas (
        replica TEXT PRIMARY KEY,
        heartbeat BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        host TEXT,
        pid INTEGER)""",
    # check-ins (checkins.py): one row per accepted ping, nothing for a refused one
    """CREATE TABLE IF NOT EXISTS checkins (
        ping_id TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        run_id TEXT,
        kind TEXT NOT NULL,
        exit_code INTEGER,
        at BIGINT NOT NULL,
        client TEXT,
        body TEXT)""",
    "CREATE INDEX IF NOT EXISTS checkins_job_at ON checkins (job, at)",
    # the watch's episodes (watch.py): a job's n-th problem and its recovery, each claimed (and
    # so notified) by exactly one replica
    """CREATE TABLE IF NOT EXISTS watch_episodes (
        job TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        slot BIGINT NOT NULL,
        state TEXT NOT NULL,
        replica TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (job, seq, kind))""",
)
OUTCOMES = ("running", "succeeded", "failed", "timeout", "abandoned", "skipped", "missed",
            "cancelled")
FINAL_FAILURES = ("failed", "timeout", "abandoned")


@dataclass
class Execution:
    """One row of job_executions."""

    run_id: str
    job: str
    scheduled_at: int
    triggered_by: str  # schedule | manual | exec
    user_name: str | None = None
    replica: str | None = None
    started_at: int | None = None
    finished_at: int | None = None
    outcome: str = "running"
    attempts: int = 0
    http_status: int | None = None
    exit_code: int | None = None
    duration_ms: int | None = None
    result: str | None = None
    error: str | None = None
    lease_until: int | None = None
    cancel: int = 0


COLUMNS = tuple(f.name for f in fields(Execution))


@dataclass
class JobState:
    job: str
    paused: bool = False
    reason: str | None = None
    failures: int = 0
    resumed_at: int | None = None
    last_success: int | None = None


def database_url(settings: Any, config_path: Path | None,
                 env: dict[str, str] | None = None) -> str:
    """CRONCTL_DATABASE_URL, else `runner.database` (a relative SQLite path is relative to
    schedules.yaml)."""
    from ...environment import current

    env = current().vars if env is None else env
    url = env.get("CRONCTL_DATABASE_URL") or (settings.database if settings else None) \
        or ".cronctl/runner.sqlite3"
    if url.startswith(("postgres://", "postgresql://")):
        return url
    path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
    if not path.is_absolute() and config_path is not None:
        path = config_path.parent / path
    return str(path)


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    import re

    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
