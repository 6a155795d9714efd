"""Running one claimed row to its end: jitter, attempts, the ledger's record, the failure
streak (and pause_after_failures), metrics, log lines and notifications. Shared by the
scheduler loop, `cronctl trigger` and `cronctl exec`."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...secrets import Secret, reveal
from . import execute
from .job import RunJob, run_id
from .ledger import Ledger
from .metrics import Metrics
from .notify import Notifier
from .records import Execution

log = logging.getLogger("cronctl.runner")


def jitter_share(run_id: str) -> float:
    """The share of `jitter` a run waits: from its run ID, so every replica waits the same."""
    return zlib.crc32(run_id.encode()) % 1000 / 1000


class Worker:
    def __init__(self, ledger: Ledger, *, replica: str, clock: Callable[[], float] = time.time,
                 cron_secret: str | None = None, lease_s: int = 30, kill_grace: float = 10,
                 base_dir: Path | None = None, echo: bool = False,
                 metrics: Metrics | None = None, notifier: Notifier | None = None,
                 sleep: Callable[[float], bool] | None = None,
                 environ: dict[str, str] | None = None) -> None:
        self.ledger = ledger
        self.environ = environ  # what commands may take from (None: this process's)
        self.replica = replica
        self.clock = clock
        self.cron_secret = Secret(cron_secret) if cron_secret else None
        self.lease_s = lease_s
        self.kill_grace = kill_grace
        self.base_dir = base_dir
        self.echo = echo
        self.metrics = metrics or Metrics()
        self.notifier = notifier
        self.sleep = sleep  # tests: no real waiting between attempts
        self.local: dict[str, execute.Cancel] = {}  # run_id -> its stop switch
        self.lock = threading.Lock()
        self._http: Any = None
        self.finisher: Any = None  # the runner loop's batched finish writer (else at once)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    @property
    def http(self):
        if self._http is None:
            from .httpcall import HttpPool

            self._http = HttpPool()
        return self._http

    def close(self) -> None:
        self._http = None

    def row(self, job: RunJob, scheduled_ms: int, *, triggered_by: str = "schedule",
            user: str | None = None, outcome: str = "running", error: str | None = None
            ) -> Execution:
        now = self.now_ms()
        running = outcome == "running"
        return Execution(
            run_id=run_id(job.name, scheduled_ms), job=job.name, scheduled_at=scheduled_ms,
            triggered_by=triggered_by, user_name=user, replica=self.replica,
            started_at=now if running else None, finished_at=None if running else now,
            outcome=outcome, error=error,
            lease_until=now + self.lease_s * 1000 if running else None)

    def secrets(self, job: RunJob) -> list[str]:
        """The job's own secrets (the ledger's mask knows the rest of the file's)."""
        found = [reveal(v) for k, v in job.headers.items() if isinstance(v, Secret)]
        if self.cron_secret:
            found.append(self.cron_secret.reveal())
        return [s for s in found if s]

    # -- one run ---------------------------------------------------------------------------
    def execute(self, job: RunJob, row: Execution, cancel: execute.Cancel | None = None,
                command: tuple[str, ...] | None = None) -> Execution:
        cancel = cancel or execute.Cancel()
        with self.lock:
            self.local[row.run_id] = cancel
            self.metrics.running += 1
        try:
            return self._execute(job, row, cancel, command)
        finally:
            with self.lock:
                self.local.pop(row.run_id, None)
                self.metrics.running -= 1

    def _execute(self, job: RunJob, row: Execution, cancel: execute.Cancel,
                 command: tuple[str, ...] | None) -> Execution:
        scheduled = row.triggered_by == "schedule"
        # a run claimed ahead of its time (the loop's lead) waits for it; then `jitter`: the
        # same delay on every replica, a share of it from the run ID
        delay = max(0.0, (row.scheduled_at - self.now_ms()) / 1000) if scheduled else 0.0
        if job.jitter and scheduled:
            delay += job.jitter * jitter_share(row.run_id)
        if delay > 0:
            waited = self.sleep(delay) if self.sleep else not cancel.event.wait(delay)
            if not waited or cancel.event.is_set():
                return self._finish(job, row, execute.Attempt(False, "cancelled",
                                    error="stopped before it started"), 0, 0)
        start_ms = self.now_ms()
        started = time.monotonic()
        lag = (start_ms - row.scheduled_at) / 1000
        if row.triggered_by == "schedule":
            self.metrics.fired(lag)
        # one line per run, at its end (with this lag): a second one from 64 threads at once
        # cost a sixth of the runner's CPU in a busy minute (bench/runner_vs_apscheduler.py)
        log.debug("run %s started (%s)", row.run_id, row.triggered_by)

        def on_attempt(n: int) -> None:  # the real start (after queue, jitter) comes with
            if n > 1:  # the finish; the claim's time stands for it until then
                self.ledger.progress(row.run_id, n)

        def one(n: int) -> execute.Attempt:
            if job.kind == "http" and command is None:
                return execute.http_attempt(job, row.run_id, row.scheduled_at, n,
                                            client=self.http, cron_secret=self.cron_secret,
                                            cancel=cancel)
            return execute.command_attempt(job, row.run_id, row.scheduled_at, n,
                                           cancel=cancel, kill_grace=self.kill_grace,
                                           base_dir=self.base_dir, echo=self.echo,
                                           command=command,
                                           inherit=row.triggered_by == "exec",
                                           environ=self.environ)

        row.started_at = start_ms
        result, attempts = execute.run_attempts(job, one, cancel=cancel,
                                                on_attempt=on_attempt, sleep=self.sleep)
        return self._finish(job, row, result, attempts,
                            int((time.monotonic() - started) * 1000))

    def _finish(self, job: RunJob, row: Execution, result: execute.Attempt, attempts: int,
                duration_ms: int) -> Execution:
        secrets = self.secrets(job)
        row.outcome = result.outcome
        row.attempts = attempts
        row.http_status = result.http_status
        row.exit_code = result.exit_code
        row.duration_ms = duration_ms
        mask = self.ledger.mask.text
        row.result = mask(execute.mask(result.result, secrets))
        row.error = mask(execute.mask(result.error, secrets))
        row.finished_at = self.now_ms()
        if self.finisher is not None:
            self.finisher.put(job, row)  # recorded and settled in a batch, off this thread
            return row
        if self.ledger.finish(row):
            self.settle(job, row)
        else:
            from .finisher import late

            late(row)
        return row

    def settle(self, job: RunJob, row: Execution,
               streak: tuple[int, bool] | None = None) -> None:
        """After a run ended (here, or abandoned elsewhere): streak, pause, metrics, notes.
        `streak`: what record_outcome returned, when the caller recorded it already."""
        ok = row.outcome == "succeeded"
        counted = row.outcome in ("succeeded", "failed", "timeout", "abandoned")
        before, paused = streak or (self.ledger.record_outcome(
            job.name, ok, row.finished_at or 0, job.pause_after_failures)
            if counted else (0, False))
        self.metrics.finished(job.name, row.outcome,
                              None if row.duration_ms is None else row.duration_ms / 1000,
                              (row.finished_at or 0) / 1000)
        what = f"HTTP {row.http_status}" if row.http_status is not None else (
            f"exit code {row.exit_code}" if row.exit_code is not None else None)
        late = (f"started {(row.started_at - row.scheduled_at) / 1000:.3f}s after its time"
                if row.triggered_by == "schedule" and row.started_at and row.attempts else None)
        detail = ", ".join(x for x in (what, f"{row.attempts} attempt(s)"
                                        if row.attempts else None,
                                        f"{row.duration_ms} ms" if row.duration_ms else None,
                                        late)
                           if x)
        line = f"run {row.run_id} {row.outcome}" + (f" ({detail})" if detail else "")
        if row.error and not ok:
            line += f": {row.error}"
        (log.info if ok or not counted else log.warning)(line)
        if paused:
            log.warning("job %s paused after %d failed runs in a row (pause_after_failures); "
                        "'cronctl resume %s' resumes it", job.name, before + 1, job.name)
        if self.notifier is None or not counted:
            return
        if not ok and (before == 0 or paused):
            extra = " It is paused now (pause_after_failures)." if paused else ""
            self.notifier.send(job.notify, f"cronctl: {job.name} failed",
                               f"{line}.{extra}", failure=True)
        elif ok and before > 0:
            self.notifier.send(job.notify, f"cronctl: {job.name} recovered",
                               f"{line} after {before} failed run(s).", failure=False)

    # -- leases ----------------------------------------------------------------------------
    def heartbeat(self) -> None:
        """Extend this replica's leases; stop the runs another replica asked to replace."""
        with self.lock:
            ids = list(self.local)
        for run in self.ledger.heartbeat(ids, self.now_ms() + self.lease_s * 1000):
            cancel = self.local.get(run)
            if cancel is not None:
                cancel.set()
