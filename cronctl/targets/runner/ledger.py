"""The run ledger: `job_executions` (one row per run), its (job, scheduled_at) uniqueness as the
lock, leases for running rows, and the runner's state (pauses, failure streaks, loaded jobs).

One SQL text for both engines (`?` placeholders; psycopg gets `%s`); times are unix ms
(BIGINT), so SQLite and PostgreSQL store and compare them the same way. Every replica tries
to claim a due run with `INSERT ... ON CONFLICT DO NOTHING`; exactly one insert succeeds
(procrastinate's idea), so there is no leader to elect and nothing to fail over.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import ConfigError, CronctlError, ProviderError
from ...secrets import dsn_credentials, mask_dsn, url_credentials
from .ledger_state import StateRecords
from .masking import LedgerMask
from .records import COLUMNS, SCHEMA, Execution, display_url, outcome_filter

FAST_CONNECTIONS = 4
SCHEMA_LOCK = 7271830  # a PostgreSQL advisory lock: one replica creates the tables
CLAIM_BATCH = 500  # rows per INSERT (SQLite allows 32,766 parameters)


def _private_sqlite(path: Path) -> None:
    """The SQLite ledger and its companions (WAL, shared memory, journal): 0600, never
    through a link. cronctl's own `.cronctl` folder (and any folder it creates) is 0700 with
    a .gitignore; a folder the file names that exists already is left as it is."""
    from ...fsutil import private_file, private_folder

    folder = path.parent
    if folder.name == ".cronctl" or not os.path.lexists(folder):
        private_folder(folder, ignore_note="cronctl's runner ledger (run history)")
    private_file(path)  # made 0600 before SQLite opens it: SQLite gives its WAL the same mode
    for suffix in ("-wal", "-shm", "-journal"):
        private_file(path.with_name(path.name + suffix), create=False)


class Ledger(StateRecords):
    """One connection, shared by the runner's threads under a lock."""

    def __init__(self, url: str, mask: LedgerMask | None = None) -> None:
        self.url = url
        self.mask = mask or LedgerMask()  # every text is masked before it is written
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

    @property
    def mask(self) -> LedgerMask:
        return self._mask

    @mask.setter
    def mask(self, mask: LedgerMask) -> None:
        mask.scrubber.add(url_credentials(self.url) + dsn_credentials(self.url), force=True)
        self._mask = mask

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
                                  + mask_dsn(self.url, str(exc).strip().splitlines()[0]),
                                  hint="check runner.database or CRONCTL_DATABASE_URL") from None
            return
        import sqlite3

        try:
            _private_sqlite(Path(self.url))
        except CronctlError as exc:  # a link, a folder, another user's file
            raise ProviderError(f"cannot open the runner's ledger {self.url}: "
                                + exc.message.removeprefix(f"{self.url}: "),
                                hint=exc.hint) from None
        try:
            conn = sqlite3.connect(self.url, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            _wal(conn, deadline=30)
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
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
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
        for row in rows:
            self._masked(row)
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

    def finish(self, row: Execution) -> bool:
        """Record a run's end (only while it is still this replica's running row)."""
        return bool(self.finish_many([row]))

    def finish_many(self, rows: Sequence[Execution]) -> set[str]:
        """Record runs' ends in one transaction (the runner's finish writer batches them);
        the run IDs recorded. A row no longer `running` (its lease ran out and another
        replica recorded it `abandoned`) keeps its record."""
        for row in rows:
            self._masked(row)
        if self.postgres and rows:
            return self._finish_pg(rows)
        done = self._many(
            "UPDATE job_executions SET outcome = ?, started_at = ?, finished_at = ?, "
            "attempts = ?, http_status = ?, exit_code = ?, duration_ms = ?, result = ?, "
            "error = ?, lease_until = NULL WHERE run_id = ? AND outcome = 'running' "
            "RETURNING run_id", [(r.outcome, r.started_at, r.finished_at, r.attempts,
                                  r.http_status, r.exit_code, r.duration_ms, r.result, r.error,
                                  r.run_id) for r in rows])
        return {r[0] for found in done for r in found}

    def _finish_pg(self, rows: Sequence[Execution]) -> set[str]:
        """PostgreSQL: the batch in one UPDATE over arrays (unnest), not a statement per run:
        the finish writer's CPU in a busy minute was mostly psycopg sending 1,000 statements."""
        cols = ("outcome", "started_at", "finished_at", "attempts", "http_status", "exit_code",
                "duration_ms", "result", "error", "run_id")
        types = ("text", "bigint", "bigint", "int", "int", "int", "bigint", "text", "text",
                 "text")
        lock, conn = self._fast_conn()
        with lock, conn.transaction():
            found = conn.execute(
                "UPDATE job_executions AS e SET "
                + ", ".join(f"{c} = v.{c}" for c in cols[:-1])
                + ", lease_until = NULL FROM unnest("
                + ", ".join(f"%s::{t}[]" for t in types) + f") AS v({', '.join(cols)}) "
                "WHERE e.run_id = v.run_id AND e.outcome = 'running' RETURNING e.run_id",
                [[getattr(r, c) for r in rows] for c in cols]).fetchall()
        return {r[0] for r in found}

    def _masked(self, row: Execution) -> Execution:
        """The row's texts with every known secret masked (in place: callers show it too)."""
        row.result = self.mask.text(row.result)
        row.error = self.mask.text(row.error)
        row.user_name = self.mask.text(row.user_name)
        return row

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
                error = self.mask.text(
                    f"replica {row.replica} stopped renewing its lease (killed or cut off)")
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


def _wal(conn, *, deadline: float) -> None:
    """Switch to WAL. On a fresh database another process may hold the lock the switch needs,
    and SQLite answers "database is locked" at once there instead of calling its busy handler
    (two `cronctl exec` starting together): wait for the other opener, up to `deadline`."""
    import sqlite3
    import time

    end = time.monotonic() + deadline
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= end:
                raise
            time.sleep(0.02)
