"""The run ledger: `job_executions` (one row per run), its (job, scheduled_at) uniqueness as the
lock, leases for running rows, and the runner's state (pauses, failure streaks, loaded jobs).

One SQL text for both engines (`?` placeholders; psycopg gets `%s`); times are unix ms
(BIGINT), so SQLite and PostgreSQL store and compare them the same way. Every replica tries
to claim a due run with `INSERT ... ON CONFLICT DO NOTHING`; exactly one insert succeeds
(procrastinate's idea), so there is no leader to elect and nothing to fail over.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import ConfigError, ProviderError
from .records import COLUMNS, SCHEMA, Execution, JobState, display_url, outcome_filter

FAST_CONNECTIONS = 4
CLAIM_BATCH = 500  # rows per INSERT (SQLite allows 32,766 parameters)


class Ledger:
    """One connection, shared by the runner's threads under a lock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self._lock = threading.RLock()
        self._conn: Any = None
        # PostgreSQL: a few more connections for the runs' own updates (progress, finish,
        # streaks), with synchronous_commit off: they do not wait for the WAL flush, and a
        # server crash can lose the last few (such a run then ends `abandoned`). Claims and
        # pauses stay on the durable connection: exactly-once must survive a crash.
        self._fast: list[tuple[threading.Lock, Any]] = []
        self._connect()
        self._create()

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> None:
        if self.postgres:
            try:
                import psycopg
            except ImportError:  # pragma: no cover - the runner extra is missing
                raise ConfigError("PostgreSQL needs psycopg",
                                  hint="pip install 'cronctl[runner]'") from None
            try:
                self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                self._fast = []  # opened on first use: a CLI command needs none
            except psycopg.Error as exc:
                raise ProviderError(f"cannot connect to {display_url(self.url)}: "
                                  f"{str(exc).strip().splitlines()[0]}",
                                  hint="check runner.database or CRONCTL_DATABASE_URL") from None
            return
        import sqlite3

        try:
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.url, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as exc:
            raise ProviderError(f"cannot open the runner's ledger {self.url}: {exc}",
                                hint="check runner.database (a writable path) or "
                                "CRONCTL_DATABASE_URL") from None
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        self._conn = conn

    def healthy(self) -> bool:
        """False when the PostgreSQL connection broke (a server restart, a network cut)."""
        conns = [self._conn, *(c for _, c in self._fast)]
        return not (self.postgres and any(c is None or c.closed or c.broken for c in conns))

    def reconnect(self) -> None:
        with self._lock:
            try:
                self._close_all()
            finally:
                self._connect()

    def _close_all(self) -> None:
        for conn in [self._conn, *(c for _, c in self._fast)]:
            if conn is not None:
                conn.close()
        self._conn, self._fast = None, []

    def close(self) -> None:
        with self._lock:
            self._close_all()

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def _create(self) -> None:
        with self._tx() as cur:
            if self.postgres:  # two replicas creating the tables at once would collide
                cur.execute("SELECT pg_advisory_xact_lock(7271830)")
            for statement in SCHEMA:
                cur.execute(statement)

    class _Tx:
        def __init__(self, ledger: Ledger) -> None:
            self.ledger = ledger

        def __enter__(self):
            lg = self.ledger
            lg._lock.acquire()
            try:
                self.cur = lg._conn.cursor()
                self.cur.execute("BEGIN" if lg.postgres else "BEGIN IMMEDIATE")
            except BaseException:
                lg._lock.release()
                raise
            return self

        def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
            self.cur.execute(self.ledger._sql(sql), tuple(params))
            return self.cur

        def __exit__(self, exc_type, exc, tb):
            try:
                self.cur.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.ledger._lock.release()
            return False

    def _tx(self) -> Ledger._Tx:
        return Ledger._Tx(self)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(self._sql(sql), tuple(params)).fetchall()

    def _open_fast(self) -> None:
        import psycopg

        with self._lock:
            while len(self._fast) < FAST_CONNECTIONS:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                conn.execute("SET synchronous_commit = off")
                self._fast.append((threading.Lock(), conn))

    def _fast_conn(self) -> tuple[Any, Any]:
        if len(self._fast) < FAST_CONNECTIONS:
            self._open_fast()
        return self._fast[threading.get_ident() % len(self._fast)]

    def _exec(self, sql: str, params: Sequence[Any] = (), *, fast: bool = False) -> int:
        lock, conn = self._fast_conn() if fast and self.postgres else (self._lock, self._conn)
        with lock:
            return conn.execute(self._sql(sql), tuple(params)).rowcount

    def _many(self, sql: str, params: Sequence[Sequence[Any]]) -> list[list[tuple]]:
        """One statement for each parameter set, in one transaction (PostgreSQL: pipelined on a
        fast connection); returns each one's rows (RETURNING)."""
        if not params:
            return []
        if not self.postgres:
            with self._tx() as tx:
                return [tx.execute(sql, p).fetchall() for p in params]
        lock, conn = self._fast_conn()
        with lock, conn.transaction(), conn.cursor() as cur:
            cur.executemany(self._sql(sql), [tuple(p) for p in params], returning=True)
            out = [cur.fetchall()]
            while cur.nextset():
                out.append(cur.fetchall())
            return out

    # -- runs ------------------------------------------------------------------------------
    def claim(self, rows: Iterable[Execution]) -> list[Execution]:
        """Insert these runs; returns the ones this caller won (every other replica's insert of
        the same (job, scheduled_at) does nothing)."""
        won = []
        placeholders = ", ".join("?" for _ in COLUMNS)
        rows = list(rows)
        if not rows:
            return won
        by_id = {row.run_id: row for row in rows}
        with self._tx() as tx:
            for start in range(0, len(rows), CLAIM_BATCH):
                part = rows[start:start + CLAIM_BATCH]
                cur = tx.execute(
                    f"INSERT INTO job_executions ({', '.join(COLUMNS)}) VALUES "
                    + ", ".join(f"({placeholders})" for _ in part)
                    + " ON CONFLICT DO NOTHING RETURNING run_id",
                    [getattr(row, c) for row in part for c in COLUMNS])
                won.extend(by_id[r[0]] for r in cur.fetchall())
        won.sort(key=lambda r: (r.scheduled_at, r.job))
        return won

    def finish(self, row: Execution) -> None:
        """Record a run's end (only while it is still this replica's running row)."""
        self.finish_many([row])

    def finish_many(self, rows: Sequence[Execution]) -> None:
        """Record runs' ends in one transaction (the runner's finish writer batches them)."""
        self._many(
            "UPDATE job_executions SET outcome = ?, started_at = ?, finished_at = ?, "
            "attempts = ?, http_status = ?, exit_code = ?, duration_ms = ?, result = ?, "
            "error = ?, lease_until = NULL WHERE run_id = ? AND outcome = 'running' "
            "RETURNING run_id", [(r.outcome, r.started_at, r.finished_at, r.attempts,
                                  r.http_status, r.exit_code, r.duration_ms, r.result, r.error,
                                  r.run_id) for r in rows])

    def progress(self, run_id: str, attempts: int, started_at: int | None = None) -> None:
        """An attempt begins (the first one sets started_at: after any jitter)."""
        if started_at is None:
            self._exec("UPDATE job_executions SET attempts = ? WHERE run_id = ?",
                       (attempts, run_id), fast=True)
        else:
            self._exec("UPDATE job_executions SET attempts = ?, started_at = ? WHERE run_id = ?",
                       (attempts, started_at, run_id), fast=True)

    def heartbeat(self, run_ids: Sequence[str], lease_until: int) -> set[str]:
        """Extend the leases of these running rows; returns those asked to stop (replace)."""
        if not run_ids:
            return set()
        marks = ", ".join("?" for _ in run_ids)
        with self._tx() as tx:
            tx.execute(f"UPDATE job_executions SET lease_until = ? WHERE outcome = 'running' "
                       f"AND run_id IN ({marks})", (lease_until, *run_ids))
            cur = tx.execute(f"SELECT run_id FROM job_executions WHERE cancel = 1 AND "
                             f"outcome = 'running' AND run_id IN ({marks})", run_ids)
            return {r[0] for r in cur.fetchall()}

    def expire(self, now: int) -> list[Execution]:
        """Running rows whose lease ran out (their replica died): recorded as `abandoned`."""
        with self._tx() as tx:
            cur = tx.execute(f"SELECT {', '.join(COLUMNS)} FROM job_executions "
                             "WHERE outcome = 'running' AND lease_until < ?", (now,))
            dead = [Execution.read(r) for r in cur.fetchall()]
            won = []
            for row in dead:  # another replica may expire the same rows: count only ours
                error = f"replica {row.replica} stopped renewing its lease (killed or cut off)"
                cur = tx.execute(
                    "UPDATE job_executions SET outcome = 'abandoned', finished_at = ?, error = ?, "
                    "lease_until = NULL WHERE run_id = ? AND outcome = 'running'",
                    (row.lease_until, error, row.run_id))
                if cur.rowcount == 1:
                    row.outcome, row.error, row.finished_at = "abandoned", error, row.lease_until
                    won.append(row)
        return won

    def running(self, job: str | None, now: int) -> list[Execution]:
        """The runs in progress (of one job, or of all), their leases not run out."""
        if job is None:
            return self._rows("outcome = 'running' AND lease_until >= ?", (now,))
        return self._rows("job = ? AND outcome = 'running' AND lease_until >= ?", (job, now))

    def request_cancel(self, run_ids: Sequence[str]) -> None:
        for run_id in run_ids:
            self._exec("UPDATE job_executions SET cancel = 1 WHERE run_id = ?", (run_id,))

    def last_scheduled(self, jobs: Sequence[str]) -> dict[str, int]:
        """The newest scheduled time each job has a row for (runs, misses, skips)."""
        if not jobs:
            return {}
        out = {}
        for start in range(0, len(jobs), 500):
            part = jobs[start:start + 500]
            marks = ", ".join("?" for _ in part)
            out.update(self._query(
                f"SELECT job, MAX(scheduled_at) FROM job_executions WHERE triggered_by = "
                f"'schedule' AND job IN ({marks}) GROUP BY job", part))
        return out

    def get(self, run_id: str) -> Execution | None:
        rows = self._rows("run_id = ?", (run_id,))
        return rows[0] if rows else None

    def runs(self, jobs: Sequence[str] | None = None, *, since: int = 0,
             until: int | None = None, outcomes: Sequence[str] = (),
             limit: int = 1000) -> list[Execution]:
        where, params = ["scheduled_at >= ?"], [since]
        if until is not None:
            where.append("scheduled_at <= ?")
            params.append(until)
        if jobs is not None:
            if not jobs:
                return []
            where.append(f"job IN ({', '.join('?' for _ in jobs)})")
            params.extend(jobs)
        if outcomes:
            sql, values = outcome_filter(outcomes)
            where.append(sql)
            params.extend(values)
        return self._rows(" AND ".join(where), params,
                          order=f"ORDER BY scheduled_at DESC, run_id LIMIT {int(limit)}")

    def _rows(self, where: str, params: Sequence[Any], order: str = "") -> list[Execution]:
        return [Execution.read(r) for r in self._query(
            f"SELECT {', '.join(COLUMNS)} FROM job_executions WHERE {where} {order}", params)]

    def prune(self, now: int, keep_days: int, keep_min_runs: int) -> int:
        """Forget finished runs older than keep_days, keeping each job's newest keep_min_runs."""
        cutoff = now - keep_days * 86_400_000
        return self._exec(
            "DELETE FROM job_executions WHERE outcome != 'running' AND scheduled_at < ? AND "
            "run_id NOT IN (SELECT run_id FROM (SELECT run_id, ROW_NUMBER() OVER (PARTITION BY "
            "job ORDER BY scheduled_at DESC) AS n FROM job_executions) AS ranked WHERE n <= ?)",
            (cutoff, keep_min_runs))

    # -- job state: pauses and failure streaks ---------------------------------------------
    def states(self) -> dict[str, JobState]:
        return {r[0]: JobState(r[0], bool(r[1]), r[2], r[3], r[4], r[5]) for r in self._query(
            "SELECT job, paused, reason, failures, resumed_at, last_success FROM job_state")}

    def _ensure_state(self, tx: Ledger._Tx, job: str) -> None:
        tx.execute("INSERT INTO job_state (job) VALUES (?) ON CONFLICT DO NOTHING", (job,))

    def set_paused(self, job: str, paused: bool, now: int, reason: str | None = None) -> bool:
        """Pause or resume; returns whether it changed. A resume sets resumed_at, so the runs
        missed while paused are not fired in a burst."""
        with self._tx() as tx:
            self._ensure_state(tx, job)
            if paused:
                cur = tx.execute("UPDATE job_state SET paused = 1, reason = ? WHERE job = ? AND "
                                 "paused = 0", (reason or "paused", job))
            else:
                cur = tx.execute("UPDATE job_state SET paused = 0, reason = NULL, failures = 0, "
                                 "resumed_at = ? WHERE job = ? AND paused = 1", (now, job))
            return cur.rowcount == 1

    def record_outcome(self, job: str, ok: bool, now: int,
                       pause_after: int | None) -> tuple[int, bool]:
        """Count a finished run: (the failure streak before it, whether it paused the job)."""
        return self.record_outcomes([(job, ok, now, pause_after)])[0]

    def record_outcomes(self, runs: Sequence[tuple[str, bool, int, int | None]]
                        ) -> list[tuple[int, bool]]:
        """record_outcome for many runs, in their order: the common case (a success, no streak)
        in one batch; a job with a failure among them goes run by run."""
        failing = {job for job, ok, _, _ in runs if not ok}
        quick = [i for i, (job, ok, _, _) in enumerate(runs) if ok and job not in failing]
        hits = self._many("UPDATE job_state SET last_success = ? WHERE job = ? AND "
                          "failures = 0 RETURNING job", [(runs[i][2], runs[i][0]) for i in quick])
        done = {i for i, hit in zip(quick, hits, strict=True) if hit}
        return [(0, False) if i in done else self._streak(*run) for i, run in enumerate(runs)]

    def _streak(self, job: str, ok: bool, now: int, pause_after: int | None
                ) -> tuple[int, bool]:
        with self._tx() as tx:
            self._ensure_state(tx, job)
            cur = tx.execute("SELECT failures FROM job_state WHERE job = ?", (job,))
            before = cur.fetchone()[0]
            if ok:
                tx.execute("UPDATE job_state SET failures = 0, last_success = ? WHERE job = ?",
                           (now, job))
                return before, False
            streak = before + 1
            pause = pause_after is not None and streak >= pause_after
            cur = tx.execute(
                "UPDATE job_state SET failures = ?, paused = CASE WHEN ? = 1 THEN 1 ELSE paused "
                "END, reason = CASE WHEN ? = 1 AND paused = 0 THEN ? ELSE reason END "
                "WHERE job = ?",
                (streak, int(pause), int(pause),
                 f"paused after {streak} failed runs in a row (pause_after_failures)", job))
            return before, pause

    # -- what the runner loaded (the target's live side) -----------------------------------
    def loaded(self) -> dict[str, dict]:
        return {r[0]: json.loads(r[1]) for r in self._query("SELECT job, spec FROM runner_jobs")}

    def record_loaded(self, specs: dict[str, dict], replica: str, now: int) -> None:
        """Make runner_jobs hold exactly these jobs (only rows that differ are written)."""
        with self._tx() as tx:
            cur = tx.execute("SELECT job, spec FROM runner_jobs")
            old = {r[0]: r[1] for r in cur.fetchall()}
            for name in old.keys() - specs.keys():
                tx.execute("DELETE FROM runner_jobs WHERE job = ?", (name,))
            for name, spec in specs.items():
                text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
                if old.get(name) == text:
                    continue
                tx.execute("DELETE FROM runner_jobs WHERE job = ?", (name,))
                tx.execute("INSERT INTO runner_jobs (job, spec, loaded_at, loaded_by) "
                           "VALUES (?, ?, ?, ?)", (name, text, now, replica))

    def replica_alive(self, replica: str, now: int, started_at: int) -> None:
        import socket

        with self._tx() as tx:
            cur = tx.execute("UPDATE runner_replicas SET heartbeat = ? WHERE replica = ?",
                             (now, replica))
            if cur.rowcount == 0:
                tx.execute("INSERT INTO runner_replicas (replica, heartbeat, started_at, host, "
                           "pid) VALUES (?, ?, ?, ?, ?)",
                           (replica, now, started_at, socket.gethostname(), os.getpid()))

    def replica_gone(self, replica: str) -> None:
        self._exec("DELETE FROM runner_replicas WHERE replica = ?", (replica,))

    def replicas(self) -> list[tuple[str, int, str, int]]:
        return [tuple(r) for r in self._query(
            "SELECT replica, heartbeat, host, pid FROM runner_replicas ORDER BY replica")]
