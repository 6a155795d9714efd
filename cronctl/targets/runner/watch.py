"""`cronctl run` watching every job of the file (issue 28 items 5 and 6): `runner: {watch:
{every: 1m}}`.

Every `every` it judges every job's slots as `cronctl verify` does (cronctl/verification.py:
one batched read per target), and then:

- **episodes**: a job whose newest judged slot is a problem (missed, failed, stuck, duplicate)
  opens an episode; its first ok slot after closes it (the recovery). Each is a row of the
  ledger's `watch_episodes` keyed (job, n-th episode, kind), inserted `ON CONFLICT DO
  NOTHING`: exactly one replica wins it, and only the winner notifies. So a person hears
  once per episode, however many replicas watch and however often they poll. A slot fired
  only by a failover is still a problem slot (the provider did not fire it): no recovery
  until the provider fires again.
- **failover**: a job with `failover: <this target>` has its newest missed slot (missed in
  the last FAILOVER_REACH_MS, or three polls, whichever is longer) claimed in
  `job_executions` (the same claim as a scheduled run: one replica wins the (job, slot)
  row) and called as its provider would (the target's `Deliverable.delivery`: a QStash
  signature, Vercel's CRON_SECRET bearer), with the slot's deterministic run ID.
- **/metrics**: slots by job, target and state in the window, each job's episode, polls,
  provider requests, notifications and failover runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import replace

from ...secrets import reveal
from .job import run_id
from .metrics import _esc
from .records import Execution

log = logging.getLogger("cronctl.runner")
PROBLEMS = ("missed", "failed", "duplicate", "stuck")
JUDGED_OUT = ("pending", "unobserved")
FAILOVER_TIMEOUT_S = 30.0
FAILOVER_REACH_MS = 15 * 60_000  # the newest missed slot, if missed at most this long ago
EPISODE_LEASE_MS = 86_400_000 * 30  # episode rows kept this long after they closed


def is_problem(slot) -> bool:
    """A problem slot, or one fired only by a failover (the provider still did not)."""
    if slot.state in PROBLEMS:
        return True
    return bool(slot.runs) and all(r.started_by == "failover" for r in slot.runs)


def episodes(report) -> dict[str, tuple[str, object, int]]:
    """Per job: ("problem", the first slot of its current streak of problems, its length) when
    its newest judged slot is a problem; ("ok", the first slot after its last problem, the
    problems before it) when the newest is fine after some problem; nothing when all are fine
    or nothing is judged yet. Pure: the report alone decides."""
    out: dict[str, tuple[str, object, int]] = {}
    for job in report.jobs:
        judged = [s for s in job.slots if s.state not in JUDGED_OUT]
        if not judged or not job.enabled:
            continue
        bad = [is_problem(s) for s in judged]
        if bad[-1]:
            i = len(bad) - 1
            while i > 0 and bad[i - 1]:
                i -= 1
            out[job.job] = ("problem", judged[i], len(bad) - i)
        elif any(bad):
            last = max(i for i, b in enumerate(bad) if b)
            out[job.job] = ("ok", judged[last + 1], sum(bad))
    return out


class Watch:
    def __init__(self, runner, state, settings) -> None:
        self.runner = runner
        self.state = state  # the command's State: copied fresh for every poll
        self.every = settings.every
        self.since = settings.since
        self.urls = tuple(settings.notify if settings.notify is not None
                          else runner.settings.notify)
        self.lock = threading.Lock()
        self.polls = 0
        self.requests = 0
        self.notified = 0
        self.last_poll = 0.0
        self.slots: dict[tuple[str, str], dict[str, int]] = {}
        self.open: dict[tuple[str, str], int] = {}
        self.failovers: Counter[tuple[str, str]] = Counter()
        self.thread: threading.Thread | None = None
        self._refused: set[str] = set()
        runner.metrics.sections.append(self.metric_lines)

    # -- the loop ---------------------------------------------------------------------------
    def start(self, stop: threading.Event) -> None:
        def loop() -> None:
            while not stop.is_set():
                began = time.monotonic()
                try:
                    self.poll()
                except Exception as exc:  # a provider down, a bad file: the next poll retries
                    log.error("watch: %s: %s", type(exc).__name__,
                              str(exc).strip().splitlines()[0] if str(exc).strip() else "")
                stop.wait(max(0.5, self.every - (time.monotonic() - began)))

        self.thread = threading.Thread(target=loop, name="watch", daemon=True)
        self.thread.start()

    def poll(self):
        """One look at every job: (the report, the episodes this replica notified)."""
        from ...targets.base import now_ms
        from ...verification import verify

        state = replace(self.state, cache={})
        config = self.runner.config
        now = now_ms(state)
        report, requests = verify(config, state, since_ms=now - self.since * 1000, now_ms=now)
        told = self._episodes(report, now)
        # after the notice (which names the missed slot); the next poll counts the run, so a
        # poll never reads the providers twice
        self._failover(config, state, report, now)
        with self.lock:
            self.polls += 1
            self.requests += requests
            self.last_poll = now / 1000
            self.slots = {(j.job, j.target): j.counts for j in report.jobs}
        return report, told

    # -- episodes ---------------------------------------------------------------------------
    def _episodes(self, report, now: int) -> list[tuple[str, str]]:
        found = episodes(report)
        jobs = {j.job: j for j in report.jobs}
        latest = self._latest([j.job for j in report.jobs])
        told = []
        opened: dict[tuple[str, str], int] = {}
        for name, (kind, slot, n) in found.items():
            seq, is_open = latest.get(name, (0, False))
            job = jobs[name]
            if kind == "problem" and not is_open:
                if self._claim(name, seq + 1, "problem", slot, now):
                    self._tell_problem(job, slot, n)
                    told.append((name, "problem"))
                is_open = True
            elif kind == "ok" and is_open:
                if self._claim(name, seq, "recovered", slot, now):
                    self._tell_recovery(job, slot, n)
                    told.append((name, "recovered"))
                is_open = False
            opened[(name, job.target)] = int(is_open)
        with self.lock:
            self.open = {(j.job, j.target): opened.get((j.job, j.target),
                                                       int(latest.get(j.job, (0, False))[1]))
                         for j in report.jobs}
        return told

    def _latest(self, names: list[str]) -> dict[str, tuple[int, bool]]:
        """Per job: its newest episode's number, and whether it is open (no recovery yet)."""
        ledger = self.runner.ledger
        out: dict[str, tuple[int, bool]] = {}
        for start in range(0, len(names), 500):
            part = names[start:start + 500]
            marks = ", ".join("?" for _ in part)
            for job, seq, kind in ledger._query(
                    f"SELECT job, seq, kind FROM watch_episodes WHERE job IN ({marks})", part):
                old = out.get(job)
                if old is None or seq > old[0]:
                    out[job] = (seq, kind == "problem")
                elif seq == old[0] and kind == "recovered":
                    out[job] = (seq, False)
        return out

    def _claim(self, job: str, seq: int, kind: str, slot, now: int) -> bool:
        return self.runner.ledger._exec(
            "INSERT INTO watch_episodes (job, seq, kind, slot, state, replica, at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (job, seq, kind, slot.slot.scheduled_ms, slot.state, self.runner.replica,
             now)) == 1

    def _notify(self, title: str, body: str, failure: bool) -> None:
        log.warning("%s: %s", title, body) if failure else log.info("%s: %s", title, body)
        notifier = self.runner.worker.notifier
        if notifier is not None and self.urls:
            notifier.send(self.urls, title, body, failure)
        with self.lock:
            self.notified += 1

    def _tell_problem(self, job, slot, n: int) -> None:
        from ...verify.match import iso

        state = "missed" if slot.state not in PROBLEMS else slot.state
        what = f"{job.job} ({job.target}) {state} its run of {iso(slot.slot.scheduled_ms)}"
        notes = [x for x in (slot.note, job.drift) if x]
        runs = [r.run_id for r in slot.runs if r.run_id]
        body = what + (f": {'; '.join(dict.fromkeys(notes))}" if notes else "")
        if runs:
            body += f" (runs {', '.join(runs)})"
        if n > 1:
            body += f"; {n} problem slots in a row"
        self._notify(f"cronctl: {job.job} {state}", body + ".", True)

    def _tell_recovery(self, job, slot, n: int) -> None:
        from ...verify.match import iso

        self._notify(f"cronctl: {job.job} recovered",
                     f"{job.job} ({job.target}) ran {slot.state} at "
                     f"{iso(slot.slot.scheduled_ms)} after {n} problem slot(s).", False)

    # -- failover ---------------------------------------------------------------------------
    def _failover(self, config, state, report, now: int) -> int:
        from ...engine import target_for
        from ..capabilities import Deliverable
        from .plugin import PLUGIN

        mine = PLUGIN.name
        fired = 0
        for rep in report.jobs:
            missed = [s for s in rep.slots if s.state == "missed"]
            if not missed:
                continue
            job = config.job(rep.job)
            if job.failover != mine or job.target == mine:
                continue
            target = target_for(config, state, job)
            if not isinstance(target, Deliverable):
                if job.name not in self._refused:
                    self._refused.add(job.name)
                    log.error("watch: %s", target.lacks(Deliverable, job).render())
                continue
            slot = missed[-1].slot
            if now - slot.deadline_ms > max(FAILOVER_REACH_MS, 3 * self.every * 1000):
                continue  # long past: a failover is for a run that is still worth doing
            fired += self._fire(target, job, slot.scheduled_ms, now)
        return fired

    def _fire(self, target, job, slot_ms: int, now: int) -> int:
        from .execute import Cancel

        rid = run_id(job.name, slot_ms)
        worker = self.runner.worker
        row = Execution(run_id=rid, job=job.name, scheduled_at=slot_ms,
                        triggered_by="failover", replica=self.runner.replica, started_at=now,
                        outcome="running", lease_until=now + worker.lease_s * 1000)
        if not self.runner.ledger.claim([row]):
            return 0  # another replica (or an earlier poll) fired this slot
        with worker.lock:  # leased while it runs: the heartbeat renews it
            worker.local[rid] = Cancel()
        try:
            try:
                request = target.delivery(job, slot_ms=slot_ms, run_id=rid,
                                          env=self.runner.env)
                status, text = send(request)
                row.http_status = status
                row.outcome = "succeeded" if 200 <= status < 300 else "failed"
                row.result = text[:2000] if row.outcome != "succeeded" else None
                row.error = None if row.outcome == "succeeded" else f"HTTP {status}"
            except Exception as exc:  # the app down, a secret missing: a failed failover
                row.outcome = "failed"
                row.error = getattr(exc, "message", None) or type(exc).__name__
            row.attempts = 1
            row.finished_at = worker.now_ms()
            row.duration_ms = max(0, row.finished_at - now)
            self.runner.ledger.finish(row)
        finally:
            with worker.lock:
                worker.local.pop(rid, None)
        with self.lock:
            self.failovers[(job.name, row.outcome)] += 1
        (log.info if row.outcome == "succeeded" else log.warning)(
            "failover: run %s of %s (%s) %s%s", rid, job.name, job.target, row.outcome,
            f": {row.error}" if row.error else "")
        return 1

    # -- /metrics ---------------------------------------------------------------------------
    def metric_lines(self) -> list[str]:
        from ...verify import STATES

        with self.lock:
            out = ["# HELP cronctl_watch_slots Slots in the watch's window, by job, target and "
                   "state.", "# TYPE cronctl_watch_slots gauge"]
            for (job, target), counts in sorted(self.slots.items()):
                out += [f'cronctl_watch_slots{{job="{_esc(job)}",target="{_esc(target)}",'
                        f'state="{s}"}} {counts.get(s, 0)}' for s in STATES]
            out += ["# HELP cronctl_watch_episode_open 1 while a job is in a problem episode "
                    "(notified, not recovered).", "# TYPE cronctl_watch_episode_open gauge"]
            out += [f'cronctl_watch_episode_open{{job="{_esc(j)}",target="{_esc(t)}"}} {v}'
                    for (j, t), v in sorted(self.open.items())]
            out += ["# HELP cronctl_watch_polls_total Watch polls done.",
                    "# TYPE cronctl_watch_polls_total counter",
                    f"cronctl_watch_polls_total {self.polls}",
                    "# HELP cronctl_watch_provider_requests_total Requests the watch made to "
                    "providers.", "# TYPE cronctl_watch_provider_requests_total counter",
                    f"cronctl_watch_provider_requests_total {self.requests}",
                    "# HELP cronctl_watch_notifications_total Episodes this replica notified.",
                    "# TYPE cronctl_watch_notifications_total counter",
                    f"cronctl_watch_notifications_total {self.notified}",
                    "# HELP cronctl_watch_last_poll_timestamp_seconds When the watch last "
                    "judged every job.",
                    "# TYPE cronctl_watch_last_poll_timestamp_seconds gauge",
                    f"cronctl_watch_last_poll_timestamp_seconds {self.last_poll!r}",
                    "# HELP cronctl_failover_runs_total Missed slots this replica fired, by "
                    "job and outcome.", "# TYPE cronctl_failover_runs_total counter"]
            out += [f'cronctl_failover_runs_total{{job="{_esc(j)}",outcome="{o}"}} {n}'
                    for (j, o), n in sorted(self.failovers.items())]
        return out


def send(request) -> tuple[int, str]:
    """Send a Delivery (its secrets revealed here only); (status, the answer's start)."""
    import httpx

    headers = [(name, str(reveal(value))) for name, value in request.headers]
    with httpx.Client(timeout=FAILOVER_TIMEOUT_S, trust_env=False,
                      follow_redirects=False) as client:
        r = client.request(request.method, request.url, headers=headers,
                           content=request.body or None)
        return r.status_code, r.text[:2000]
