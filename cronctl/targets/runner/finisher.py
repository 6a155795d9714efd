"""The runner's finish writer: runs' ends are recorded by one thread, in batches.

A run thread hands over its finished row and is free for the next run as soon as the answer is
in; the writer records the queued ends in one transaction per batch (the `finish` UPDATE and
the success-streak UPDATE pipelined, not one round trip each), then counts streaks (and
pause_after_failures), metrics, log lines and notifications. The loop flushes it before it
reads the running rows (`overlap`), before it expires leases, when idle and on stop, so no
decision sees a finished run as running. A crash loses at most the queued ends: those runs
end `abandoned` once their lease runs out, as with any run in flight.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .job import RunJob
from .ledger import Ledger
from .records import Execution

log = logging.getLogger("cronctl.runner")
BATCH = 500
COUNTED = ("succeeded", "failed", "timeout", "abandoned")


def late(row: Execution) -> None:
    """Log that a run ended after its lease ran out (the ledger keeps `abandoned`, recorded
    by another replica, and that record stands: logs, metrics and notes follow it)."""
    log.warning("run %s ended %s here after its lease ran out; the ledger keeps it abandoned "
                "(this replica was stopped or cut off meanwhile)", row.run_id, row.outcome)
    row.outcome = "abandoned"


class Finisher:
    def __init__(self, ledger: Ledger,
                 settle: Callable[[RunJob, Execution, tuple[int, bool]], None]) -> None:
        self.ledger = ledger
        self.settle = settle
        self.cond = threading.Condition()
        self.queue: list[tuple[RunJob, Execution]] = []
        self.busy = False
        self.closed = False
        self.thread: threading.Thread | None = None

    def put(self, job: RunJob, row: Execution) -> None:
        with self.cond:
            if not self.closed:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._work, name="finish",
                                                   daemon=True)
                    self.thread.start()
                self.queue.append((job, row))
                self.cond.notify_all()
                return
        self.write([(job, row)])  # after stop: recorded at once

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued end is recorded; False when the timeout came first."""
        with self.cond:
            return self.cond.wait_for(lambda: not self.queue and not self.busy, timeout)

    def close(self) -> None:
        """Record everything queued, then stop the thread."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
            thread = self.thread
        if thread is not None:
            thread.join()

    def _work(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.queue or self.closed)
                if not self.queue:
                    return
                batch, self.queue = self.queue[:BATCH], self.queue[BATCH:]
                self.busy = True
            try:
                self.write(batch)
            finally:
                with self.cond:
                    self.busy = False
                    self.cond.notify_all()

    def write(self, batch: list[tuple[RunJob, Execution]]) -> None:
        try:
            recorded = self.ledger.finish_many([row for _, row in batch])
            for _, row in batch:
                if row.run_id not in recorded:
                    late(row)
            batch = [(job, row) for job, row in batch if row.run_id in recorded]
            counted = [(job, row) for job, row in batch if row.outcome in COUNTED]
            streaks = dict(zip((row.run_id for _, row in counted), self.ledger.record_outcomes(
                [(job.name, row.outcome == "succeeded", row.finished_at or 0,
                  job.pause_after_failures) for job, row in counted]), strict=True))
        except Exception as exc:  # the database went away: these runs end `abandoned`
            log.error("ledger: %d run ends not recorded: %s: %s", len(batch),
                      type(exc).__name__, (str(exc).strip().splitlines() or [""])[0])
            return
        for job, row in batch:
            try:
                self.settle(job, row, streaks.get(row.run_id, (0, False)))
            except Exception:  # never lose the other runs' notes to one
                log.exception("run %s: internal error", row.run_id)
