"""The pg_cron target (`target: pg_cron`): jobs of pg_cron (Supabase Cron, or any PostgreSQL
with the extension), created with `cron.schedule` in the database of `pg_cron.database_url`.

Ownership: cronctl manages exactly the jobs named `cronctl.<project>.<job>` (the upsert key of
`cron.schedule`); a job of any other name is never changed. Live state is `cron.job`; a second
`cronctl schedule` shows no change. Costs: one transaction per change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ... import cron
from ...config.project import owner_of, schedule_id_prefix
from ...environment import current
from ...errors import ConfigError, ProviderError
from ...plan import Action, FieldChange, Plan
from ..base import ApplyResult, Check, Failure, OnDone, Run, Target
from ..capabilities import Observed, Pausable, RunHistory, Stats, Triggerable
from . import command
from .model import ENV_URL, settings_of


@dataclass(frozen=True)
class PgCronSpec:
    key: str  # the job name in cron.job
    schedule: str
    command: str
    paused: bool = False
    jobid: int | None = field(default=None, compare=False)


class PgCronTarget(Pausable, RunHistory, Stats, Observed, Target):
    name = "pg_cron"
    title = "pg_cron"
    noun = "jobs"

    def __init__(self, config, state=None) -> None:
        super().__init__(config, state)
        self._client = None

    @property
    def settings(self):
        return settings_of(self.config)

    @property
    def prefix(self) -> str:
        return schedule_id_prefix(self.config.project)

    def active(self, *, explicit: bool = False) -> bool:
        return bool(self.jobs) or self.config.settings.get("pg_cron") is not None or explicit

    @property
    def client(self):
        if self._client is None:
            from .client import PgCron

            self._client = PgCron(self.database_url())
        return self._client

    def database_url(self) -> str:
        url = (self.settings.database_url or "").strip() or current().value(ENV_URL)
        if not url or "${" in url:
            raise ConfigError("the pg_cron target needs the database pg_cron runs in",
                              hint="set pg_cron: {database_url: ${SUPABASE_DB_URL}} in "
                              f"{self.config.path.name}, or export {ENV_URL}")
        return url

    # -- plan ------------------------------------------------------------------------------
    def desired(self) -> list[PgCronSpec]:
        return [PgCronSpec(self.key_for(j.name), cron.trim(j.schedule), self.command(j),
                           not j.enabled) for j in self.jobs]

    def command(self, job) -> str:
        """The SQL the job runs: its own, or the pg_net call to the app. A secret's value is
        never part of it: cron.job.command is readable by the role, shown by `diff`, and kept
        in every backup."""
        model = job.spec.model
        if model.sql is not None:
            text, field_ = command.sql_command(model.sql), "sql"
        else:
            base = (self.settings.base_url or self.config.base_url or "").rstrip("/")
            text = command.http_command(base + (model.path or ""), model.method or "POST",
                                        model.body, model.timeout, self.settings.bearer)
            field_ = next((f for f in ("path", "body") if _holds_secret(
                self.config, getattr(model, f))), "base_url")
        if _holds_secret(self.config, text):
            where = f"{self.config.path}:{job.line}" if job.line else str(self.config.path)
            raise ConfigError(
                f"{where}: job {job.name!r}: {field_} would write a secret value into "
                "cron.job.command (target pg_cron); nothing was changed",
                hint="keep the secret in the database and read it there when the job runs: "
                "Supabase Vault (SELECT decrypted_secret FROM vault.decrypted_secrets WHERE "
                "name = ...) or a setting (current_setting('app.name')); pg_cron.bearer does "
                "this for HTTP jobs")
        return text

    def populate(self) -> list[PgCronSpec]:
        jobs = self.client.jobs()
        self.requests += 1
        return [PgCronSpec(j.jobname if j.jobname is not None else f"#{j.jobid}",
                           j.schedule, j.command, not j.active, j.jobid) for j in jobs]

    def key_for(self, job_name: str) -> str:
        return self.prefix + job_name

    def owns(self, key: str) -> bool:
        return key.startswith(self.prefix)

    def job_name(self, key: str) -> str:
        return key[len(self.prefix):] if key.startswith(self.prefix) else key

    def adopt_key(self, spec: PgCronSpec):
        """`schedule --adopt`: a job made by hand with the same schedule and command is the
        file's job (deleted when its managed one is made). A job of another cronctl project is
        never adopted, whatever it matches."""
        if owner_of(spec.key) not in (None, self.config.project):
            return None
        return (spec.schedule, spec.command)

    def differences(self, live: PgCronSpec, desired: PgCronSpec) -> tuple[FieldChange, ...]:
        return tuple(FieldChange(f, getattr(live, f), getattr(desired, f))
                     for f in ("schedule", "command") if getattr(live, f) != getattr(desired, f))

    def cost(self, action: Action, desired, live) -> int:
        return 1  # one transaction

    def detail(self, spec: PgCronSpec) -> tuple[str, ...]:
        return (f"schedule: {spec.schedule} (UTC)", f"command: {spec.command}")

    def _apply(self, plan: Plan, *, concurrency: int | None = None,
               on_done: OnDone | None = None) -> ApplyResult:
        from ...errors import CronctlError
        from .client import PgCron

        result = ApplyResult()
        client = self.client
        before = client.requests
        for change in plan.changes:
            d, live = change.desired, change.live
            steps = []
            if change.action in ("create", "update", "rename"):
                steps.append(PgCron.schedule(d.key, d.schedule, d.command))
                if d.paused or (live is not None and live.paused and change.action == "update"):
                    steps.append(PgCron.set_active(d.key, not d.paused))
            elif change.action in ("pause", "resume"):
                steps.append(PgCron.set_active(d.key, not d.paused))
            if change.action in ("delete", "rename") and live.jobid is not None:
                steps.append(PgCron.unschedule(live.jobid))
            try:
                client.transaction(steps)
            except CronctlError as exc:
                result.failed.append(Failure(change, str(exc)))
                if on_done:
                    on_done(change, str(exc))
                continue
            result.done.append(change)
            if on_done:
                on_done(change, None)
        result.requests = client.requests - before
        return result

    # -- operations on one job -------------------------------------------------------------
    def pause(self, job, *, paused: bool) -> None:
        from .client import PgCron

        key = self.key_for(job.name)
        if not self.client.query(*PgCron.set_active(key, not paused)):
            raise ProviderError(f"{key!r} is not in cron.job (for this role)",
                                hint="'cronctl schedule' creates it; 'cronctl diff' shows what "
                                "differs")

    def instead(self, capability, job=None) -> str | None:
        if capability is Triggerable:
            return ("pg_cron has no 'run now': run the job's command in SQL, e.g. EXECUTE the "
                    "command of cron.job WHERE jobname = '" + self.key_for(
                        job.name if job is not None else "<job>") + "'")
        return None

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list[Run]:
        from .history import as_run, statuses

        rows = self.client.runs([self.key_for(j.name) for j in jobs], _dt(since_ms),
                                _dt(until_ms) if until_ms is not None else None,
                                statuses(state), limit)
        return [as_run(r, self.job_name(r.jobname)) for r in rows]

    def stats_jobs(self, job=None) -> list:
        return [job] if job is not None else self.jobs

    def stats(self, jobs: list, from_ms: int, on_job=None) -> tuple[list, int]:
        from .history import job_stats

        before = self.client.requests
        out = job_stats(self, jobs, from_ms, on_job)
        return out, self.client.requests - before

    def liveness(self, jobs: list) -> dict:
        from .history import liveness

        return liveness(self, jobs)

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        from .history import observed

        before = self.client.requests
        return observed(self, jobs, since_ms, until_ms), self.client.requests - before

    def probe(self) -> list[Check]:
        from .probe import probe

        return probe(self)

    def delivery_health(self, *, fail_on: int | None = None) -> list[Check]:
        from .probe import delivery_health

        return delivery_health(self, fail_on)

    def live_rows(self, plan: Plan, live: list[PgCronSpec]) -> list[dict]:
        by_key = {c.key: c for c in plan.changes}
        paused = {s.key: s.paused for s in live}
        last = {}
        if self.jobs:
            for run in self.runs(self.jobs, since_ms=0, limit=10 * len(self.jobs) + 10):
                last.setdefault(run.job, run)
        out = []
        for job in self.jobs:
            key = self.key_for(job.name)
            prev = last.get(job.name)
            out.append(self.job_row(job, by_key.get(key), where="cron.job", schedule_id=key,
                                    last_run=prev.started if prev else None,
                                    last_states=[prev.state] if prev else [],
                                    paused=paused.get(key, not job.enabled)))
        return out + self.orphan_rows(plan, where="cron.job", schedule=lambda s: s.schedule,
                                      timezone=lambda s: "UTC")


def _holds_secret(config, value) -> bool:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return any(secret and (secret in text or json.dumps(secret)[1:-1] in text
                           or secret.replace("'", "''") in text)
               for secret in config.secrets if isinstance(secret, str))


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
