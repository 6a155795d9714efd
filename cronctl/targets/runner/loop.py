"""The scheduler loop of `cronctl run`: every tick it follows schedules.yaml, renews its
leases, records abandoned runs, finds due runs, claims them in the ledger (one transaction)
and hands the runs it won to a thread pool.

The clock is injected (`clock`, unix seconds) and `tick()` is public, so tests drive the loop
with a frozen or advanced clock instead of waiting for real minutes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ...environment import current
from ...errors import ConfigError
from . import due as due_
from . import share
from .execute import Cancel
from .finisher import Finisher
from .job import RunJob, resolve
from .ledger import Ledger
from .masking import LedgerMask
from .model import settings_of
from .notify import Notifier
from .records import Execution, database_url
from .worker import Worker

log = logging.getLogger("cronctl.runner")
PRUNE_EVERY_MS = 3_600_000


def load_jobs(path: Path, env=None):
    """The file's runner jobs, resolved (a ConfigError when the file has errors)."""
    from ...config.load import load_config

    config = load_config(path, env)
    return config, {j.name: resolve(config, j) for j in config.jobs_for("runner")}


class Runner:
    def __init__(self, config_path: Path, *, env=None, clock: Callable[[], float] = time.time,
                 ledger: Ledger | None = None, replica: str | None = None,
                 sleep: Callable[[float], bool] | None = None, notify: bool = True,
                 lead: float = 0.0) -> None:
        self.path = Path(config_path)
        self.env = dict(current().vars if env is None else env)
        self.clock = clock
        # claim runs due within `lead` seconds ahead of their time, so the tick's reading and
        # the claim's write are done when the time comes and the runs start on it
        self.lead_ms = int(lead * 1000)
        self.config, self.jobs = load_jobs(self.path, self.env)
        self._stat = self._file_stat()
        s = settings_of(self.config)
        self.settings = s
        self.ledger = ledger or Ledger(database_url(s, self.path, self.env))
        self.ledger.mask = LedgerMask(self.config, self.env)
        self.replica = replica or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.worker = Worker(
            self.ledger, replica=self.replica, clock=clock,
            cron_secret=self.env.get("CRON_SECRET"), lease_s=s.lease,
            kill_grace=s.kill_grace, base_dir=self.path.parent,
            notifier=Notifier() if notify else None, sleep=sleep, environ=self.env)
        self.metrics = self.worker.metrics
        self.finisher = self.worker.finisher = Finisher(self.ledger, self.worker.settle)
        self.pool = ThreadPoolExecutor(max_workers=s.max_parallel,
                                       thread_name_prefix="run")
        self.futures: set[Future] = set()
        self.started_ms = self.now_ms()
        self.cursors: dict[str, int] = {}
        self.next_due: dict[str, int | None] = {}
        self.compiled: dict[str, object] = {}
        self.last_tick_mono = 0.0
        self._housekeeping_at = 0
        self._alive: list[str] = []  # replicas alive at the last housekeeping (share.py)
        self._held: list[tuple[str, int]] = []  # other replicas' shares, claimed next tick
        self._pruned_at = 0
        self._loaded()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # -- following schedules.yaml ----------------------------------------------------------
    def _file_stat(self):
        try:
            st = self.path.stat()
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return None

    def reload(self) -> bool:
        """Load the file again when it changed; a file with errors keeps the jobs running."""
        stat = self._file_stat()
        if stat == self._stat:
            return False
        self._stat = stat
        try:
            config, jobs = load_jobs(self.path, self.env)
        except ConfigError as exc:
            first = exc.message.splitlines()
            log.error("%s changed but has errors; still running the %d jobs loaded before: %s",
                      self.path.name, len(self.jobs), " ".join(first[1:2] or first[:1]))
            return False
        old = self.jobs
        added = sorted(jobs.keys() - old.keys())
        removed = sorted(old.keys() - jobs.keys())
        changed = sorted(n for n in jobs.keys() & old.keys() if jobs[n] != old[n])
        for names, verb in ((added, "added"), (removed, "removed"), (changed, "changed")):
            for name in names:
                log.info("%s: job %s %s", self.path.name, name, verb)
                self.next_due.pop(name, None)
                self.compiled.pop(name, None)
        now = self.now_ms()
        for name in added:
            self.cursors[name] = now  # a new job starts now: nothing to catch up
        self.config, self.jobs = config, jobs
        self.ledger.mask = LedgerMask(config, self.env)
        self._loaded()
        return bool(added or removed or changed)

    def _loaded(self) -> None:
        self.ledger.record_loaded({n: j.spec() for n, j in self.jobs.items()}, self.replica,
                                  self.now_ms())
        self.metrics.jobs = len(self.jobs)

    # -- one tick --------------------------------------------------------------------------
    def tick(self) -> list[Execution]:
        """One pass; returns the runs this replica claimed to execute."""
        began = time.monotonic()
        self.reload()
        now = self.now_ms()
        if now >= self._housekeeping_at:
            self._housekeeping(now)
        states = self.ledger.states()
        missing = [n for n in self.jobs if n not in self.cursors]
        if missing:
            last = self.ledger.last_scheduled(missing)
            for name in missing:
                self.cursors[name] = last.get(name, self.started_ms)
        rows: list[Execution] = []
        self._running: dict[str, list[Execution]] | None = None  # read once, when needed
        self._moved: dict[str, tuple[int, int | None]] = {}  # cursors once the claim holds
        for name, job in self.jobs.items():
            rows.extend(self._due(job, states.get(name), now))
        # the other replicas' shares held back last tick: theirs by now, unless one is gone
        held = [self.worker.row(self.jobs[j], t) for j, t in self._held if j in self.jobs]
        rows, later = share.split(rows, self._alive, self.replica)
        won = self.ledger.claim(held + rows)
        self._held = [(r.job, r.scheduled_at) for r in later]
        # Only now do the schedules move on: a claim that failed (the ledger locked or down)
        # leaves them, and the next tick records those runs, the catch-up policy applied.
        for name, (cursor, following) in self._moved.items():
            self.cursors[name] = cursor
            if following == -1:
                self.next_due.pop(name, None)
            else:
                self.next_due[name] = following
        claimed = [r for r in won if r.outcome == "running"]  # before a worker changes them
        to_run: dict[str, list[Execution]] = {}
        for row in won:
            if row.outcome == "running":
                to_run.setdefault(row.job, []).append(row)
            elif row.outcome in ("missed", "skipped"):
                log.warning("run %s %s: %s", row.run_id, row.outcome, row.error)
                self.metrics.finished(row.job, row.outcome, None, now / 1000)
        for name, group in to_run.items():
            self._submit(self.jobs[name], group)
        self.metrics.last_tick = now / 1000
        took = time.monotonic() - began
        if took > 0.5:
            log.warning("tick took %.2fs (%d jobs, %d runs claimed): runs start that late",
                        took, len(self.jobs), len(claimed))
        self.last_tick_mono = time.monotonic()
        return claimed

    def _due(self, job: RunJob, state, now: int) -> list[Execution]:
        name = job.name
        cursor = self.cursors[name]
        if state is not None and state.resumed_at and state.resumed_at > cursor:
            cursor = self.cursors[name] = state.resumed_at  # no burst after a resume
            self.next_due.pop(name, None)
        if not job.enabled or (state is not None and state.paused):
            self.cursors[name] = max(cursor, now)
            self.next_due.pop(name, None)
            return []
        nxt = self.next_due.get(name, -1)
        horizon = now + self.lead_ms
        if nxt is None or (nxt != -1 and nxt > horizon):
            return []
        if name not in self.compiled:
            self.compiled[name] = job.compiled()
        times = due_.times_between(self.compiled[name], cursor, horizon)
        past = [t for t in times if t <= now]
        ahead = times[len(past):]  # due within the lead: claimed now, fired at their time
        if ahead and not self._may_claim_ahead(job, now):
            ahead = []  # decided at its time (overlap: replace, or a run still running)
        decision = due_.decide(past, now_ms=now, started_ms=self.started_ms,
                               catchup=job.catchup, deadline_s=job.starting_deadline)
        moved = ahead[-1] if ahead else decision.cursor if past else cursor
        following: int | None = -1  # -1: not known (look again next tick)
        if len(times) < due_.MAX_TIMES:
            after = due_.times_between(self.compiled[name], moved, 10**15, limit=1)
            following = after[0] if after else None
        self._moved[name] = (moved, following)
        out = [self.worker.row(job, t, outcome="missed",
                               error=self._why_missed(job, t, now, past[-1]))
               for t in decision.missed]
        fire = (*decision.fire, *ahead)
        if not fire:
            return out
        running = self._running_rows(now).get(name, [])
        for i, t in enumerate(fire):
            if running and job.overlap == "forbid":
                out.append(self.worker.row(job, t, outcome="skipped", error=(
                    f"{running[0].run_id} is still running (overlap: forbid)")))
                continue
            if running and job.overlap == "replace" and i == 0:
                log.info("run %s replaces %s (overlap: replace)", t, running[0].run_id)
                self.ledger.request_cancel([r.run_id for r in running])
                for r in running:
                    cancel = self.worker.local.get(r.run_id)
                    if cancel is not None:
                        cancel.set()
            out.append(self.worker.row(job, t))
        return out

    def _running_rows(self, now: int) -> dict[str, list[Execution]]:
        """The running rows by job, read once per tick (when a run is to be claimed)."""
        if self._running is None:
            self.finisher.flush()  # no run that ended is still `running` in the ledger
            self._running = {}
            for row in self.ledger.running(None, now):
                self._running.setdefault(row.job, []).append(row)
        return self._running

    def _may_claim_ahead(self, job: RunJob, now: int) -> bool:
        """A run due within the lead is claimed now unless its overlap policy must look at
        the job's runs at its own time: `replace` (it stops the one running then), `forbid`
        with a run still running now (it may end before the time)."""
        if job.overlap == "replace":
            return False
        return job.overlap == "allow" or not self._running_rows(now).get(job.name)

    def _why_missed(self, job: RunJob, t: int, now: int, newest: int) -> str:
        if job.starting_deadline is not None and now - t > job.starting_deadline * 1000:
            return (f"not started within starting_deadline ({job.starting_deadline}s); "
                    f"{(now - t) // 1000}s late")
        if t <= self.started_ms:
            return f"missed while no runner ran (catchup: {job.catchup})"
        return (f"missed: the runner stalled for {(now - t) // 1000}s (suspended, overloaded, "
                f"a clock jump or the ledger unreachable) and a newer run came due "
                f"(catchup: {job.catchup})")

    def _submit(self, job: RunJob, rows: list[Execution]) -> None:
        cancels = [Cancel() for _ in rows]
        with self.worker.lock:  # leased from the start: the heartbeat covers waiting rows
            for row, cancel in zip(rows, cancels, strict=True):
                self.worker.local[row.run_id] = cancel

        def run_all() -> None:
            for row, cancel in zip(rows, cancels, strict=True):
                try:
                    self.worker.execute(job, row, cancel)
                except Exception:  # never lose the loop to one run
                    log.exception("run %s: internal error", row.run_id)

        fut = self.pool.submit(run_all)
        self.futures.add(fut)
        fut.add_done_callback(self.futures.discard)

    def _housekeeping(self, now: int) -> None:
        lease = self.worker.lease_s
        self._housekeeping_at = now + max(1000, lease * 1000 // 3)
        self.worker.heartbeat()
        self.finisher.flush()  # ended runs are no longer leased: record them before expiring
        self.ledger.replica_alive(self.replica, now, self.started_ms)
        self._alive = share.alive(self.ledger.replicas(), now, lease * 1000)
        for row in self.ledger.expire(now):
            job = self.jobs.get(row.job)
            if job is not None:
                self.worker.settle(job, row)  # (its log line says it)
            else:
                log.warning("run %s abandoned: %s", row.run_id, row.error)
        if now - self._pruned_at >= PRUNE_EVERY_MS:
            self._pruned_at = now
            s = self.settings
            n = self.ledger.prune(now, s.keep_days, s.keep_min_runs)
            if n:
                log.info("ledger: forgot %d runs older than the retention", n)

    # -- the process -----------------------------------------------------------------------
    def wait_idle(self, timeout: float = 60) -> None:
        """Until every run handed out has finished (tests)."""
        deadline = time.monotonic() + timeout
        while self.futures and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.futures or not self.finisher.flush(max(0.0, deadline - time.monotonic())):
            raise TimeoutError("runs still in flight")

    def serve(self, stop: threading.Event, interval: float = 1.0) -> None:
        log.info("runner %s: %d jobs from %s", self.replica, len(self.jobs), self.path.name)
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # the database went away: retry on the next tick
                log.error("tick failed: %s: %s", type(exc).__name__,
                          str(exc).strip().splitlines()[0] if str(exc).strip() else "")
                if not self.ledger.healthy():
                    try:
                        self.ledger.reconnect()
                        log.info("ledger: connected again")
                    except Exception as again:  # still down: the next tick tries again
                        log.error("ledger: cannot connect: %s", type(again).__name__)
            # wake at the next whole interval, so runs start just after their second
            stop.wait(interval - (time.time() % interval) + 0.001)

    def shutdown(self, grace: float | None = None) -> None:
        """Stop: let runs end within the grace period, then stop them (recorded cancelled)."""
        grace = self.worker.kill_grace if grace is None else grace
        deadline = time.monotonic() + grace
        while self.futures and time.monotonic() < deadline:
            time.sleep(0.05)
        for cancel in list(self.worker.local.values()):
            cancel.set()
        self.pool.shutdown(wait=True, cancel_futures=False)
        self.finisher.close()  # every queued end recorded
        self.ledger.replica_gone(self.replica)
        if self.worker.notifier is not None:
            self.worker.notifier.close()
        self.worker.close()
        self.ledger.close()
