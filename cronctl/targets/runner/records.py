"""The ledger's rows (the SQL schema, the records read from it, unix ms times) and where it
lives (a SQLite path or a PostgreSQL URL)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
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
# A row whose outcome is not one of OUTCOMES (a newer cronctl's word, a hand edit, a hostile
# write) is read as UNKNOWN, a failure, with a warning once per value: the text itself never
# reaches a page, a table or a lookup.
UNKNOWN = "unknown"
FINAL_FAILURES = ("failed", "timeout", "abandoned", UNKNOWN)
_warned: set[str] = set()


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

    @classmethod
    def read(cls, values: Sequence[Any]) -> Execution:
        """A row of job_executions (in COLUMNS order) as cronctl writes it, whatever the file
        holds (SQLite keeps any type in any column; anyone may write to it): numbers where
        numbers belong (else None, or 0 for the due time), text where text belongs, and an
        outcome cronctl knows (else UNKNOWN, with a warning)."""
        row = cls(*values)
        for name in _NUMBERS:
            value = getattr(row, name)
            if value is not None and not isinstance(value, int):
                setattr(row, name, _number(value, row))
        if not isinstance(row.scheduled_at, int):
            row.scheduled_at = 0
        for name in _TEXTS:
            value = getattr(row, name)
            if value is not None and not isinstance(value, str):
                setattr(row, name, str(value))
        if row.outcome not in OUTCOMES:
            _warn_unknown(row)
            row.outcome = UNKNOWN
        return row


_NUMBERS = ("scheduled_at", "started_at", "finished_at", "attempts", "http_status", "exit_code",
            "duration_ms", "lease_until", "cancel")
_TEXTS = ("run_id", "job", "triggered_by", "user_name", "replica", "result", "error")


def _number(value: Any, row: Execution) -> int | None:
    try:
        return int(value)  # e.g. a float, or digits as text
    except (TypeError, ValueError, OverflowError):
        _warn_once(f"warning: the ledger has a run of {row.job} ({row.run_id}) with "
                   f"{_shown(value)} where a number belongs; it is read as none")
        return None


def _warn_unknown(row: Execution) -> None:
    _warn_once(f"warning: the ledger has a run of {row.job} ({row.run_id}) with an outcome "
               f"cronctl does not know, {_shown(row.outcome)}; it is shown as {UNKNOWN} "
               "(failed)", key=f"outcome {row.outcome!r}")


def _shown(value: Any) -> str:
    """A value from the ledger, in a warning only when it is a short plain word (a newer
    cronctl's outcome): anything else might be markup, or a secret."""
    text = str(value)
    return repr(text) if re.fullmatch(r"[A-Za-z0-9_.-]{1,24}", text) else "a value that is not " \
        "a plain word"


def _warn_once(text: str, key: str | None = None) -> None:
    key = key or text
    if key not in _warned:
        _warned.add(key)
        logging.getLogger("cronctl.runner").warning(text)


COLUMNS = tuple(f.name for f in fields(Execution))


@dataclass
class JobState:
    job: str
    paused: bool = False
    reason: str | None = None
    failures: int = 0
    resumed_at: int | None = None
    last_success: int | None = None


def outcome_filter(outcomes: Sequence[str]) -> tuple[str, list[str]]:
    """The SQL condition (and its parameters) of runs whose outcome is one of `outcomes`;
    UNKNOWN stands for any stored text that is not one of OUTCOMES."""
    known = [o for o in outcomes if o != UNKNOWN]
    marks = ", ".join("?" for _ in known) or "NULL"
    if UNKNOWN not in outcomes:
        return f"outcome IN ({marks})", known
    return (f"(outcome IN ({marks}) OR outcome NOT IN ({', '.join('?' for _ in OUTCOMES)}))",
            [*known, *OUTCOMES])


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
    """The URL without its password, for messages (a database URL's however it is written:
    secrets.mask_dsn finds a password with an unencoded '/', '@', '?' or '#' too)."""
    import re

    from ...secrets import mask_dsn

    if url.strip().lower().startswith(("postgres://", "postgresql://")):
        return mask_dsn(url)
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
