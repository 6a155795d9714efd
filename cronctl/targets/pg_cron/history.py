"""Run history from `cron.job_run_details`: `cronctl logs` (Runs), `stats` (JobStats) and
`verify` (Observations by slot, and each job's liveness from `cron.job`).

pg_cron records one row per run: status starting/running/sending/connecting while it runs,
then succeeded or failed, with the start and end times and the server's message. Its scheduler
starts a run at the minute it is due, in UTC, so a run's slot is its start rounded down to the
minute (a `'N seconds'` job has no minute slots: the matcher takes the nearest).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..base import Run
from ..capabilities import Liveness, Observation

FINAL = {"succeeded": "delivered", "failed": "failed"}
WANTED = {"delivered": ["succeeded"], "failed": ["failed"],
          "in-flight": ["starting", "running", "sending", "connecting"], "cancelled": []}
SOURCE = "cron.job_run_details"


def statuses(state: str | None) -> list[str] | None:
    return WANTED.get(state, []) if state else None


def _ms(t: datetime | None) -> int | None:
    return int(t.timestamp() * 1000) if t is not None else None


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).isoformat() if t is not None else None


def slot_of(start: datetime | None) -> datetime | None:
    return start.astimezone(UTC).replace(second=0, microsecond=0) if start else None


def as_run(row, job: str) -> Run:
    state = FINAL.get(row.status, "in-flight")
    duration = _ms(row.end) - _ms(row.start) if row.end and row.start else None
    return Run(job=job, run_id=str(row.runid), due=_iso(slot_of(row.start)),
               started=_iso(row.start), started_by="schedule", state=state, attempts=1,
               duration_ms=duration,
               error=(row.message or None) if state == "failed" else None,
               sort_ms=_ms(row.start) or 0)


def job_stats(target, jobs: list, from_ms: int, on_job=None) -> list:
    from ..qstash.stats import JobStats, Outcome, _percentile

    out = []
    for job in jobs:
        runs = target.runs([job], since_ms=from_ms, limit=100_000)  # newest first
        s = JobStats(job=job.name, schedule_id=target.key_for(job.name))
        for r in runs:
            s.runs += 1
            if r.state == "delivered":
                s.delivered += 1
                if r.duration_ms is not None:
                    s.latencies.append(float(r.duration_ms))
                if s.last_success is None:
                    s.last_success = Outcome(r.started, None)
            elif r.state == "failed":
                s.failed += 1
                if s.last_failure is None:
                    s.last_failure = Outcome(r.started, None, r.error)
            else:
                s.in_flight += 1
        for r in runs:
            if r.state == "delivered":
                break
            s.consecutive_failures += r.state == "failed"
        done = s.delivered + s.failed
        s.success_rate = s.delivered / done if done else None
        s.latency_p50_ms = _percentile(s.latencies, 0.5)
        s.latency_p95_ms = _percentile(s.latencies, 0.95)
        out.append(s)
        if on_job:
            on_job()
    return out


def liveness(target, jobs: list) -> dict[str, Liveness]:
    """One read of cron.job: whether each job exists there and is active. pg_cron keeps no
    creation time, so `since` is the first run it recorded (None before any)."""
    live = {j.jobname: j for j in target.client.jobs() if j.jobname}
    names = [target.key_for(j.name) for j in jobs]
    first = dict(target.client.query(
        "SELECT j.jobname, min(d.start_time) FROM cron.job_run_details d JOIN cron.job j "
        "ON j.jobid = d.jobid WHERE j.jobname = ANY(%s) GROUP BY j.jobname", (names,)))
    out = {}
    for job, key in zip(jobs, names, strict=True):
        row = live.get(key)
        drift = None
        if row is None and job.enabled:
            drift = "missing from cron.job (deleted behind cronctl's back, or never scheduled)"
        elif row is not None and not row.active and job.enabled:
            drift = "inactive in cron.job (paused by hand, cron.alter_job active := false)"
        out[job.name] = Liveness(job.name, _ms(first.get(key)), present=row is not None,
                                 paused=row is not None and not row.active, drift=drift)
    return out


def observed(target, jobs: list, since_ms: int, until_ms: int) -> list[Observation]:
    from .dialect import PgCronDialect

    interval = {j.name for j in jobs
                if PgCronDialect(target.settings.version).entry(j.schedule).seconds}
    out = []
    for run in target.runs(jobs, since_ms=since_ms, until_ms=until_ms, limit=1_000_000):
        outcome = {"delivered": "ok", "failed": "failed"}.get(run.state, "running")
        started = run.sort_ms or None
        out.append(Observation(
            job=run.job, run_id=run.run_id,
            slot_ms=None if run.job in interval or started is None else started - started % 60000,
            started_ms=started,
            ended_ms=started + run.duration_ms if started and run.duration_ms is not None
            else None,
            outcome=outcome, started_by="schedule", source=SOURCE))
    return out
