"""The ledger's runner state, beside its runs (ledger.py): pauses and failure streaks
(job_state), the job set the runner loaded (runner_jobs, the target's live side) and the
replicas alive (runner_replicas). Every write is safe when replicas make it at once."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from .records import JobState

LOADED_LOCK = 7271831  # a PostgreSQL advisory lock: one writer of the job set at a time


# a success with no failure streak: the job's state made or its last success moved, in one
# statement (a job with failures to reset is not returned and goes the careful way)
UPSERT = ("ON CONFLICT (job) DO UPDATE SET last_success = excluded.last_success "
          "WHERE job_state.failures = 0 RETURNING job")

class StateRecords:
    """Ledger's methods over job_state, runner_jobs and runner_replicas (a mixin: it uses the
    Ledger's connection, transactions and mask)."""

    postgres: bool
    mask: Any

    # -- job state: pauses and failure streaks ---------------------------------------------
    def states(self) -> dict[str, JobState]:
        return {r[0]: JobState(r[0], bool(r[1]), r[2], r[3], r[4], r[5]) for r in self._query(
            "SELECT job, paused, reason, failures, resumed_at, last_success FROM job_state")}

    def _ensure_state(self, tx: Any, job: str) -> None:
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
        in one batch, a job's first run included (its state row made by the same upsert: a
        durable transaction each for a minute's 1,000 first runs was 43% of the PostgreSQL
        runner's samples); a job with a failure among them goes run by run."""
        failing = {job for job, ok, _, _ in runs if not ok}
        quick = [i for i, (job, ok, _, _) in enumerate(runs) if ok and job not in failing]
        if self.postgres and quick:  # one statement over arrays, each job once (its newest)
            lock, conn = self._fast_conn()
            with lock, conn.transaction():
                hit = {r[0] for r in conn.execute(
                    "INSERT INTO job_state (job, last_success) SELECT job, max(t) FROM "
                    "unnest(%s::text[], %s::bigint[]) AS u(job, t) GROUP BY job " + UPSERT,
                    [[runs[i][0] for i in quick], [runs[i][2] for i in quick]]).fetchall()}
            done = {i for i in quick if runs[i][0] in hit}
        else:
            hits = self._many("INSERT INTO job_state (job, last_success) VALUES (?, ?) "
                              + UPSERT, [(runs[i][0], runs[i][2]) for i in quick])
            done = {i for i, hit in zip(quick, hits, strict=True) if hit}
        return [(0, False) if i in done else self._streak(*run) for i, run in enumerate(runs)]

    def _streak(self, job: str, ok: bool, now: int, pause_after: int | None
                ) -> tuple[int, bool]:
        with self._tx() as tx:
            self._ensure_state(tx, job)
            # two replicas ending runs of one job count both: the row locked until COMMIT
            lock = " FOR UPDATE" if self.postgres else ""  # (SQLite: BEGIN IMMEDIATE)
            cur = tx.execute(f"SELECT failures FROM job_state WHERE job = ?{lock}", (job,))
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
        """Make runner_jobs hold exactly these jobs (only rows that differ are written).

        Replicas starting together, or following the same edit, all write at once: one writer
        at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, so replicas that
        hold different versions of the file cannot deadlock), each row an upsert."""
        with self._tx() as tx:
            if self.postgres:
                tx.execute("SELECT pg_advisory_xact_lock(?)", (LOADED_LOCK,))
            cur = tx.execute("SELECT job, spec FROM runner_jobs")
            old = {r[0]: r[1] for r in cur.fetchall()}
            for name in sorted(old.keys() - specs.keys()):
                tx.execute("DELETE FROM runner_jobs WHERE job = ?", (name,))
            for name in sorted(specs):
                text = json.dumps(self.mask.spec(specs[name]), sort_keys=True,
                                  separators=(",", ":"))
                if old.get(name) == text:
                    continue
                tx.execute("INSERT INTO runner_jobs (job, spec, loaded_at, loaded_by) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT (job) DO UPDATE SET "
                           "spec = excluded.spec, loaded_at = excluded.loaded_at, "
                           "loaded_by = excluded.loaded_by", (name, text, now, replica))

    def replica_alive(self, replica: str, now: int, started_at: int) -> None:
        import socket

        self._exec("INSERT INTO runner_replicas (replica, heartbeat, started_at, host, pid) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (replica) DO UPDATE SET "
                   "heartbeat = excluded.heartbeat",
                   (replica, now, started_at, socket.gethostname(), os.getpid()))

    def replica_gone(self, replica: str) -> None:
        self._exec("DELETE FROM runner_replicas WHERE replica = ?", (replica,))

    def replicas(self) -> list[tuple[str, int, str, int]]:
        return [tuple(r) for r in self._query(
            "SELECT replica, heartbeat, host, pid FROM runner_replicas ORDER BY replica")]
