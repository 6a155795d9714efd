"""The runner target (`target: runner`): cronctl's own scheduler, `cronctl run`.

What is live: the job set the runner loaded, which every runner (and `cronctl schedule`)
records in the ledger's runner_jobs table, plus the pauses in job_state. So `cronctl diff`
shows what the running runner will run once it follows the file, `schedule` records the file's
job set (what a runner does when it reloads) and applies pauses and resumes, and a second
`schedule` shows no change. History, stats, trigger, pause and probe read and write the
ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ...errors import ConfigError, UsageError
from ...plan import FieldChange, Plan
from ..base import ApplyResult, Check, OnDone, Run, Target, TriggerResult
from ..capabilities import Liveness, Observed, Pausable, RunHistory, Stats, Triggerable
from .job import iso, resolve
from .model import settings_of
from .records import FINAL_FAILURES, UNKNOWN, Execution, display_url

STATE = {"succeeded": "delivered", "failed": "failed", "timeout": "failed",
         "abandoned": "failed", "running": "in-flight", "skipped": "cancelled",
         "missed": "cancelled", "cancelled": "cancelled", UNKNOWN: "failed"}
STARTED_BY = {"schedule": "schedule", "manual": "manual", "exec": "exec", "failover": "failover"}
WANTED = {"delivered": ("succeeded",), "failed": FINAL_FAILURES,
          "in-flight": ("running",), "cancelled": ("skipped", "missed", "cancelled")}


@dataclass(frozen=True)
class RunnerSpec:
    key: str
    spec: dict = field(compare=False, hash=False)
    paused: bool = False


class RunnerTarget(Pausable, Triggerable, RunHistory, Stats, Observed, Target):
    name = "runner"
    title = "runner"
    noun = "jobs"

    def __init__(self, config, state=None) -> None:
        super().__init__(config, state)
        self._ledger = None

    @property
    def ledger(self):
        if self._ledger is None:
            from .manual import ledger_for

            self._ledger = ledger_for(self.config)
        return self._ledger

    def active(self, *, explicit: bool = False) -> bool:
        return bool(self.jobs) or self.config.settings.get("runner") is not None or explicit

    # -- the runner's own commands (cronctl run, cronctl exec) -------------------------------
    @staticmethod
    def serve(state, **options) -> int:
        from .process import serve

        return serve(state, **options)

    @staticmethod
    def exec_command(state, job_name: str, command: list[str], **options) -> int:
        from .process import exec_command

        return exec_command(state, job_name, command, **options)

    # -- plan ------------------------------------------------------------------------------
    def desired(self) -> list[RunnerSpec]:
        from .manual import mask_for  # masked as the ledger records them (never a secret)

        mask = mask_for(self.config)
        return [RunnerSpec(j.name, mask.spec(resolve(self.config, j).spec()), not j.enabled)
                for j in self.jobs]

    def populate(self) -> list[RunnerSpec]:
        self.requests += 1
        states = self.ledger.states()
        return [RunnerSpec(name, spec, not spec.get("enabled", True)
                           or bool(states.get(name) and states[name].paused))
                for name, spec in sorted(self.ledger.loaded().items())]

    def differences(self, live: RunnerSpec, desired: RunnerSpec) -> tuple[FieldChange, ...]:
        keys = list(desired.spec) + [k for k in live.spec if k not in desired.spec]
        return tuple(FieldChange(k, live.spec.get(k), desired.spec.get(k)) for k in keys
                     if k != "enabled" and live.spec.get(k) != desired.spec.get(k))

    def detail(self, spec: RunnerSpec) -> tuple[str, ...]:
        s = spec.spec
        what = f"{s.get('method')} {s.get('url')}" if s.get("kind") == "http" else \
            " ".join(s.get("command") or ())
        return (what, f"cron: {s.get('schedule')} ({s.get('timezone')})")

    def _apply(self, plan: Plan, *, concurrency: int | None = None,
               on_done: OnDone | None = None) -> ApplyResult:
        result = ApplyResult()
        loaded = self.ledger.loaded()
        now = int(self.now().timestamp() * 1000)
        for change in plan.changes:
            if change.action == "delete":
                loaded.pop(change.key, None)
            elif change.action == "rename":
                loaded.pop(change.live.key, None)
                loaded[change.key] = change.desired.spec
            elif change.desired is not None:
                loaded[change.key] = change.desired.spec
            if change.action in ("pause", "resume", "create", "update") and \
                    change.desired is not None:
                self.ledger.set_paused(change.key, change.desired.paused, now,
                                       "enabled: false" if change.desired.paused else None)
        self.ledger.record_loaded(loaded, "cronctl schedule", now)
        result.requests = 1
        for change in plan.changes:
            result.done.append(change)
            if on_done:
                on_done(change, None)
        return result

    # -- operations on one job -------------------------------------------------------------
    def pause(self, job, *, paused: bool) -> None:
        self._runner_job(job)
        self.ledger.set_paused(job.name, paused, int(self.now().timestamp() * 1000),
                               "paused by hand (cronctl pause)" if paused else None)

    def _runner_job(self, job):
        if job.target != self.name:
            raise UsageError(f"{job.name!r} is a {job.target} job, not a runner job")
        return resolve(self.config, job)

    def trigger_summary(self, job) -> str:
        return f"run {job.name} now, in this process, recorded in the runner's ledger"

    def can_trigger(self, job) -> None:
        run = self._runner_job(job)
        if run.kind == "http":
            from ...secrets import require_cron_secret

            require_cron_secret(f"{run.method} {display_url(run.url)}", "the runner")

    def trigger(self, job) -> TriggerResult:
        from .manual import run_now

        run = self._runner_job(job)
        row = run_now(self.config, run, triggered_by="manual", ledger=self.ledger)
        ok = row.outcome == "succeeded"
        text = f"Ran {job.name}: {row.outcome} ({row.run_id})."
        if not ok and run.kind == "http" and row.http_status is None:
            # No answer at all (refused, unreachable, timed out): where it went, what to do.
            text = (f"Ran {job.name}: {row.outcome} ({row.run_id}): {run.method} "
                    f"{display_url(run.url or '')}: {row.error or 'no answer'}\n"
                    "hint: is the app running at base_url? (a trigger runs the job from this "
                    "shell, with the base_url it resolves here)")
        return TriggerResult({"job": job.name, "target": self.name, "run_id": row.run_id,
                              "outcome": row.outcome}, text, ok=ok, run_id=row.run_id)

    def wait(self, job, result: TriggerResult, *, timeout: float) -> Run | None:
        from .manual import wait_for

        row = wait_for(self.ledger, result.run_id, timeout) if result.run_id else None
        return as_run(row) if row else None

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list[Run]:
        rows = self.ledger.runs([j.name for j in jobs] + [j.renamed_from for j in jobs
                                                          if j.renamed_from],
                                since=since_ms, until=until_ms,
                                outcomes=WANTED.get(state, ()) if state else (), limit=limit)
        renamed = {j.renamed_from: j.name for j in jobs if j.renamed_from}
        out = [as_run(r) for r in rows]
        for run in out:
            run.job = renamed.get(run.job, run.job)
        return out

    def stats_jobs(self, job=None) -> list:
        return [job] if job is not None else self.jobs

    def stats(self, jobs: list, from_ms: int, on_job=None) -> tuple[list, int]:
        from .stats import job_stats

        return job_stats(self.ledger, jobs, from_ms, on_job), 1

    # -- Observed (cronctl verify) ------------------------------------------------------------
    def tolerance_for(self, job) -> timedelta:
        """A runner fires within a second; its jitter and starting deadline may delay a run."""
        run = resolve(self.config, job)
        return self.tolerance + timedelta(seconds=max(run.jitter, run.starting_deadline or 0))

    def max_runtime_for(self, job) -> timedelta | None:
        """Every attempt's timeout and the backoffs between them, and a minute for the lease."""
        run = resolve(self.config, job)
        backoff = sum(run.retry_backoff * 2 ** i for i in range(run.retries))
        return timedelta(seconds=run.timeout * (run.retries + 1) + backoff + 60)

    def liveness(self, jobs: list) -> dict[str, Liveness]:
        """Live since the runner loaded the job as it is now; paused in the ledger (by hand,
        or after failures) while the file says enabled is drift."""
        ledger = self._existing_ledger()
        if ledger is None:
            return {j.name: Liveness(j.name, None, present=False,
                                     drift="no runner ledger yet: no runner has run")
                    for j in jobs}
        from .observe import loaded_at

        loaded, states = loaded_at(ledger), ledger.states()
        out = {}
        for job in jobs:
            state = states.get(job.name)
            out[job.name] = Liveness(
                job.name, loaded.get(job.name), present=job.name in loaded,
                paused=bool(state and state.paused),
                drift=(f"paused in the runner's ledger ({state.reason})" if state and
                       state.paused else None) if job.name in loaded else
                "not loaded by the runner ('cronctl schedule' records the file's jobs)")
        return out

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        from .observe import observations

        ledger = self._existing_ledger()
        if ledger is None:
            return [], 0
        renamed = {j.renamed_from: j.name for j in jobs if j.renamed_from}
        known = {n for j in self.config.jobs for n in (j.name, j.renamed_from) if n}
        # these jobs' runs, and those of jobs not in the file (a runner still on an old file)
        return observations(ledger, [j.name for j in jobs], since_ms=since_ms,
                            until_ms=until_ms, renamed=renamed, strangers=known), 1

    def _existing_ledger(self):
        """The ledger if there is one (a read creates no SQLite file)."""
        if self._ledger is None:
            from .observe import existing_ledger

            self._ledger = existing_ledger(self.config)
        return self._ledger

    def probe(self) -> list[Check]:
        where = display_url(self.ledger.url)
        try:
            replicas = self.ledger.replicas()
            live = self.populate()
        except (ConfigError, Exception) as exc:  # the database's own errors, any driver
            return [Check("runner ledger", "fail", f"{where}: {exc}",
                          "check runner.database or CRONCTL_DATABASE_URL")]
        now = int(self.now().timestamp() * 1000)
        lease = settings_of(self.config).lease * 1000
        alive = [r for r in replicas if now - r[1] <= lease]
        checks = [Check("runner ledger", "ok", where)]
        checks.append(Check("runner replicas", "ok" if alive else "warn",
                            f"{len(alive)} alive" + (f" ({', '.join(r[0] for r in alive)})"
                                                     if alive else ""),
                            None if alive else "start one: cronctl run"))
        plan = self.plan(self.desired(), live)
        checks.append(Check("runner jobs", "warn" if plan.has_changes else "ok",
                            "the runner has not loaded the current file" if plan.has_changes
                            else f"{len(live)} loaded, as in the file",
                            "a running runner follows the file within a second; "
                            "'cronctl diff' shows what differs" if plan.has_changes else None))
        return checks

    def live_rows(self, plan: Plan, live: list[RunnerSpec]) -> list[dict]:
        by_key = {c.key: c for c in plan.changes}
        paused = {s.key: s.paused for s in live}
        last = {}
        for row in self.ledger.runs([j.name for j in self.jobs], limit=10 * len(self.jobs) + 10):
            last.setdefault(row.job, row)
        out = []
        for job in self.jobs:
            prev = last.get(job.name)
            change = by_key.get(job.name)
            row = self.job_row(
                job, change, where="runner ledger",
                last_run=_iso(prev.scheduled_at) if prev else None,
                last_states=[STATE[prev.outcome]] if prev else [],
                paused=paused.get(job.name, not job.enabled))
            if change is not None and change.action == "update":
                row["drift"] = [_side_by_side(fc) for fc in change.fields]
            out.append(row)
        return out + self.orphan_rows(
            plan, where="runner ledger", schedule=lambda live: live.spec.get("schedule", ""),
            timezone=lambda live: live.spec.get("timezone", "UTC"))


def _side_by_side(fc: FieldChange) -> str:
    """A drifted URL with each side's value (e.g. the runner and this shell resolve a different
    APP_URL); other fields by name only (a header's value may be a secret)."""
    if fc.name != "url":
        return fc.name
    return (f"url: the runner has {display_url(str(fc.old or '-'))}, this shell "
            f"{display_url(str(fc.new or '-'))}")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def as_run(row: Execution) -> Run:
    return Run(job=row.job, run_id=row.run_id, due=iso(row.scheduled_at),
               started=iso(row.started_at) if row.started_at else None,
               started_by=STARTED_BY.get(row.triggered_by, UNKNOWN),
               state=STATE[row.outcome], attempts=row.attempts,
               status=row.http_status,  # a command's exit code is in `error` when it failed
               duration_ms=row.duration_ms,
               error=row.error or ("the ledger holds an outcome cronctl does not know"
                                   if row.outcome == UNKNOWN else None),
               response=(row.result or "")[-200:] or None if row.outcome != "succeeded"
               else None, sort_ms=row.scheduled_at)


