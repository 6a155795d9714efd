"""`cronctl stats` for runner jobs: computed from the ledger, as QStash's from its events."""

from __future__ import annotations

from ..qstash.stats import JobStats, Outcome, _iso, _percentile
from .records import FINAL_FAILURES


def job_stats(ledger, jobs: list, from_ms: int, on_job=None) -> list[JobStats]:
    out = []
    for job in jobs:
        rows = ledger.runs([job.name], since=from_ms, limit=100_000)  # newest first
        s = JobStats(job=job.name, schedule_id=job.name)
        for r in rows:
            if r.outcome in ("skipped", "missed"):
                continue
            s.runs += 1
            s.manual += r.triggered_by != "schedule"
            s.retries += max(0, r.attempts - 1)
            if r.outcome == "succeeded":
                s.delivered += 1
                if r.duration_ms is not None:
                    s.latencies.append(float(r.duration_ms))
                if s.last_success is None:
                    s.last_success = Outcome(_iso(r.finished_at or r.scheduled_at),
                                             r.http_status)
            elif r.outcome in FINAL_FAILURES:
                s.failed += 1
                if s.last_failure is None:
                    s.last_failure = Outcome(_iso(r.finished_at or r.scheduled_at),
                                             r.http_status, r.error)
            elif r.outcome == "running":
                s.in_flight += 1
        for r in rows:  # failures since the last success
            if r.outcome == "succeeded":
                break
            if r.outcome in FINAL_FAILURES:
                s.consecutive_failures += 1
        done = s.delivered + s.failed
        s.success_rate = s.delivered / done if done else None
        s.latency_p50_ms = _percentile(s.latencies, 0.5)
        s.latency_p95_ms = _percentile(s.latencies, 0.95)
        out.append(s)
        if on_job:
            on_job()
    return out
