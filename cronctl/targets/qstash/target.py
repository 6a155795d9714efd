"""The qstash target: business jobs as Upstash QStash schedules, through the REST API.

Ownership: cronctl manages exactly the schedules whose IDs start with `cronctl.<project>.`.
Costs: populate is one `GET /v2/schedules`; a create or update is one upsert, plus one request
to set the pause state when it differs; a delete, pause or resume is one request.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from typing import Any

from ...aio import gather_all
from ...config.project import owner_of, schedule_id_prefix
from ...plan import Action, FieldChange, Plan
from ...urls import display
from ..base import (
    ApplyResult,
    Check,
    DeadLetter,
    OnDone,
    Run,
    Target,
    TriggerResult,
    list_status,
    poll_interval,
)
from ..capabilities import (
    DeadLetters,
    Importable,
    Imported,
    Liveness,
    Observed,
    Pausable,
    RunHistory,
    Stats,
    Triggerable,
)
from . import connect
from .spec import ScheduleSpec, attributes, differences, from_job


class QStashTarget(Pausable, Triggerable, RunHistory, DeadLetters, Stats, Importable, Observed,
                   Target):
    name = "qstash"
    title = "QStash"
    noun = "schedules"
    # QStash keeps events for a plan-dependent time; 7 days is the longest of the common plans.
    retention = timedelta(days=7)

    @property
    def prefix(self) -> str:
        return schedule_id_prefix(self.config.project)

    def active(self, *, explicit: bool = False) -> bool:
        # Without jobs, QStash is still asked (its orphans are found) when a token says
        # where; without either it is skipped with a note (skip_reason), except in a project
        # that runs its jobs on Kubernetes, where the note would only confuse.
        return (bool(self.jobs) or explicit or self._told_where()
                or _tiers_only(self.config))

    def _told_where(self) -> bool:
        """A token, or a QStash the command was given (cronctl dev applying to itself)."""
        from ...environment import current

        return bool(current().value("QSTASH_TOKEN") or getattr(self.state, "qstash", None))

    def skip_reason(self) -> str | None:
        if not self.jobs and not self._told_where():
            return "no business jobs and QSTASH_TOKEN is not set; QStash skipped"
        return None

    def desired(self) -> list[ScheduleSpec]:
        return [from_job(job) for job in self.jobs]

    def populate(self) -> list[ScheduleSpec]:
        from .sync import fetch_live

        count: list[int] = []
        live = connect.run(self.state, fetch_live, count=count)
        self.requests += sum(count)
        return live

    def _apply(self, plan: Plan, *, concurrency: int | None, on_done: OnDone | None
               ) -> ApplyResult:
        from .sync import apply

        count: list[int] = []
        result = connect.run(self.state, lambda client: apply(plan, client, on_done=on_done),
                             concurrency=concurrency, count=count, phase="write")
        result.requests = sum(count)
        return result

    # -- PlanRules ---------------------------------------------------------------------------
    def key(self, spec: ScheduleSpec) -> str:
        return spec.schedule_id

    def key_for(self, job_name: str) -> str:
        return self.prefix + job_name

    def owns(self, key: str) -> bool:
        return key.startswith(self.prefix)

    def job_name(self, key: str) -> str:
        return key[len(self.prefix):] if key.startswith(self.prefix) else key

    def differences(self, live: ScheduleSpec, desired: ScheduleSpec
                    ) -> tuple[FieldChange, ...]:
        return tuple(FieldChange(f, getattr(live, f), getattr(desired, f),
                                 secret=f == "headers")
                     for f in differences(live, desired))

    def adopt_key(self, spec: ScheduleSpec) -> Hashable | None:
        """Same destination and cron. A schedule of another cronctl project is never adopted
        (and so never deleted), whatever it matches."""
        owner = owner_of(spec.schedule_id)
        if owner is not None and owner != self.config.project:
            return None
        return (spec.destination, spec.cron, spec.timezone)

    def cost(self, action: Action, desired: Any, live: Any) -> int:
        """The write, plus setting the pause state after it."""
        if action == "rename":  # the new schedule (paused if need be), then the old deleted
            return 2 + int(desired.paused)
        if action in ("create", "update"):
            was_paused = live.paused if live is not None else False
            return 1 + int(desired.paused or was_paused)
        return 1

    def detail(self, spec: ScheduleSpec) -> tuple[str, ...]:
        """Every attribute the new schedule will have, as Terraform shows a create; header
        values are never shown, only their names."""
        return attributes(spec)

    # -- operations on one job ---------------------------------------------------------------
    def pause(self, job, *, paused: bool) -> None:
        async def go(client) -> None:
            if paused:
                await client.pause(job.spec.schedule_id)
            else:
                await client.resume(job.spec.schedule_id)

        connect.run(self.state, go, phase="write")

    def trigger_summary(self, job) -> str:
        spec = from_job(job)
        return (f"publish {spec.method} {display(spec.destination)} through QStash now "
                "(a manual run, counted by stats and logs)")

    def trigger(self, job) -> TriggerResult:
        self.config.require_env(("qstash",))
        spec = from_job(job)
        headers = spec.request_headers()
        for name in ("Upstash-Cron", "Upstash-Schedule-Id", "Upstash-Delay"):
            headers.pop(name, None)

        async def publish(client) -> str:
            return await client.publish(spec.destination, headers, spec.body)

        message_id = connect.run(self.state, publish, phase="write")
        return TriggerResult(
            {"job": job.name, "tier": job.tier, "target": self.name, "message_id": message_id,
             "destination": display(spec.destination)},
            f"published {job.name} to {display(spec.destination)}: message {message_id}\n"
            f"follow it with: cronctl logs {job.name}", run_id=message_id)

    def wait(self, job, result: TriggerResult, *, timeout: float) -> Run | None:
        from .runs import wait_for

        assert result.run_id
        return connect.run(self.state, lambda client: wait_for(
            client, job, result.run_id, timeout=timeout, interval=poll_interval(1.0)),
            phase="wait", extra=timeout)

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list[Run]:
        from .runs import job_runs

        if not jobs:
            return []
        return connect.run(self.state, lambda client: job_runs(
            client, jobs, since_ms=since_ms, until_ms=until_ms, state=state, limit=limit))

    def dead_letters(self, jobs: list) -> list[DeadLetter]:
        from .runs import dead_letters

        return connect.run(self.state, lambda client: dead_letters(client, jobs))

    def retry_dead(self, letters: list[DeadLetter]) -> list[str]:
        async def go(client) -> list[str]:
            return list(await gather_all(*(client.retry_dead_letter(d.dlq_id)
                                               for d in letters)))

        return connect.run(self.state, go, phase="write")

    def delete_dead(self, letters: list[DeadLetter]) -> int:
        async def go(client) -> int:
            return sum(await gather_all(*(client.delete_dead_letter(d.dlq_id)
                                              for d in letters)))

        return connect.run(self.state, go, phase="write")

    def delivery_health(self, *, fail_on: int | None = None) -> list[Check]:
        from .probe import delivery_health

        return delivery_health(self, fail_on)

    def live_rows(self, plan: Plan, live: list[ScheduleSpec]) -> list[dict]:
        by_key = {c.key: c for c in plan.changes}
        live_by_id = {s.schedule_id: s for s in live}
        out = []
        for job in self.jobs:
            status, drift = list_status(by_key.get(job.spec.schedule_id))
            row = {**_row_base(job), **_live_fields(live_by_id.get(job.spec.schedule_id)),
                   "status": status, "where": "qstash"}
            if drift:
                row["drift"] = drift
            out.append(row)
        for change in plan.changes:
            if change.action == "delete":
                out.append(_live_row(change.live, change.job, "orphaned"))
        for spec in plan.unmanaged:
            out.append(_live_row(spec, spec.schedule_id, "unmanaged"))
        return out

    def probe(self) -> list:
        from .probe import probe

        return probe(self)

    def import_jobs(self, source: str | None, taken: set[str], project: str) -> Imported:
        """Entries for the schedules QStash has today (one GET)."""
        from . import importer

        live = self.populate()
        base_url = importer.base_url_of(live)
        if not base_url:
            return Imported()
        jobs, skipped = importer.from_qstash(live, base_url, taken, project)
        return Imported(jobs, base_url, skipped)

    # -- Observed (cronctl verify) ------------------------------------------------------------
    def tolerance_for(self, job) -> timedelta:
        """QStash fires within seconds; a schedule's delay postpones the delivery, not the
        firing, so it adds nothing."""
        return self.tolerance

    def liveness(self, jobs: list) -> dict[str, Liveness]:
        """One listing: each schedule's creation, pause state, or absence."""
        from .observe import liveness

        self._live = self.populate() if jobs else []
        return liveness(jobs, self._live)

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        """The jobs' messages from QStash's logs, read as `stats` reads them (per schedule
        for a few jobs, else the account's events paged once, whichever costs less)."""
        from .deliveries import fetch
        from .observe import labels, observations

        if not jobs:
            return [], 0
        # The project's schedules no job of the file owns (seen by `liveness`): their runs
        # are runs of jobs not in the file.
        owned = {sid for j in self.jobs for sid in j.spec.history_ids}
        names = {j.name for j in self.config.jobs}  # a job now on another target keeps its ID
        orphans = {s.schedule_id: self.job_name(s.schedule_id)
                   if self.job_name(s.schedule_id) not in names else s.schedule_id
                   for s in getattr(self, "_live", ())
                   if self.owns(s.schedule_id) and s.schedule_id not in owned}
        window_s = max(0.0, (until_ms - since_ms) / 1000)
        history = connect.run(self.state, lambda client: fetch(
            labels(jobs) + list(orphans), since_ms, window_s, client=client))
        events = [e for page in history.events.values() for e in page]
        return observations(events, jobs, since_ms=since_ms, until_ms=until_ms,
                            orphans=orphans), history.requests

    def stats_jobs(self, job=None) -> list:
        return [job] if job is not None else self.jobs

    def stats(self, jobs: list, from_ms: int, on_job=None) -> tuple[list, int]:
        """(JobStats per job, QStash requests made); `on_job` ticks a progress bar."""
        from .deliveries import job_stats

        return job_stats(self.state, jobs, from_ms, on_job)


def _row_base(job) -> dict:
    return {"name": job.name, "tier": job.tier, "target": job.target, "schedule": job.schedule,
            "timezone": job.timezone, "schedule_id": job.spec.schedule_id}


def _ms(value) -> str | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat()


def _live_fields(spec: ScheduleSpec | None) -> dict:
    if spec is None:
        return {"next_run": None, "last_run": None, "last_states": [], "paused": None}
    states = sorted(set((spec.extra.get("lastScheduleStates") or {}).values()))
    return {
        "next_run": _ms(spec.extra.get("nextScheduleTime")),
        "last_run": _ms(spec.extra.get("lastScheduleTime")),
        "last_states": states,
        "paused": spec.paused,
    }


def _live_row(spec: ScheduleSpec | None, name: str, status: str) -> dict:
    assert spec is not None
    return {"name": name, "tier": "business", "target": "qstash", "schedule": spec.cron,
            "timezone": spec.timezone, "schedule_id": spec.schedule_id, **_live_fields(spec),
            "status": status, "where": "qstash",
            "destination": display(spec.destination)}  # no credentials or query


def _tiers_only(config) -> bool:
    """Every job runs where a tier sends it (the seed's vocabulary): QStash is the business
    tier's target, so a missing token deserves a note. A project that names other targets
    (Kubernetes, a runner) gets none."""
    from .. import plugin

    return all(plugin(j.target).tier for j in config.jobs)
