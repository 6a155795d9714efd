"""The schedules.yaml's enabled infrastructure jobs, fired as Vercel Cron would.

A GET to the app URL + path with `user-agent: vercel-cron/1.0`, `x-vercel-cron-schedule` and,
when CRON_SECRET is set, `Authorization: Bearer <CRON_SECRET>`. Vercel runs crons in UTC and does
not retry. Every run is recorded (`runs`) for tests, without any header value.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .. import cron
from ..targets.vercel.crons import cron_request_headers
from .clock import Clock, from_ms, to_ms
from .livelog import LiveLog

TIMEOUT_S = 30.0


@dataclass
class VercelJob:
    name: str
    path: str
    schedule: str
    next_ms: int | None = None
    timezone: str = "UTC"  # Vercel Schedules (vercel.output: schedules) take one


def load_jobs(config_path: Path) -> tuple[list[VercelJob], str | None]:
    """(the enabled infrastructure jobs, the file's base_url). Raises CronctlError."""
    from ..config import load_config

    config = load_config(config_path)
    jobs = [VercelJob(j.name, j.path, j.schedule, timezone=j.timezone or "UTC")
            for j in config.jobs if j.target == "vercel" and j.enabled]
    return jobs, config.base_url


class VercelCrons:
    def __init__(self, jobs: list[VercelJob], app_url: str, clock: Clock, log: LiveLog) -> None:
        self.jobs = jobs
        self.app_url = app_url.rstrip("/")
        self.clock = clock
        self.log = log
        self.runs: list[dict[str, Any]] = []
        now = clock.now_ms()
        self.loaded_ms = now  # live since: `cronctl verify` expects no run before it
        for job in jobs:
            job.next_ms = _next(job.schedule, now, job.timezone)

    def next_due_ms(self) -> int | None:
        times = [j.next_ms for j in self.jobs if j.next_ms is not None]
        return min(times) if times else None

    def take_due(self, now_ms: int) -> list[tuple[VercelJob, int]]:
        """The jobs due at `now_ms` with their scheduled times; each moves to its next run."""
        due = []
        for job in self.jobs:
            if job.next_ms is not None and job.next_ms <= now_ms:
                due.append((job, job.next_ms))
                job.next_ms = _next(job.schedule, now_ms, job.timezone)
        return due

    async def run(self, http: httpx.AsyncClient, job: VercelJob, scheduled_ms: int,
                  triggered_by: str = "schedule") -> None:
        url = self.app_url + job.path
        headers = cron_request_headers(job.schedule)
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(TIMEOUT_S):  # one deadline (httpx's is per read)
                response = await http.get(url, headers=headers, timeout=TIMEOUT_S)
            status = response.status_code
        except TimeoutError:
            error = f"Timeout: no complete answer within {TIMEOUT_S:g}s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        ms = int((time.monotonic() - started) * 1000)
        self.runs.append({"job": job.name, "path": job.path, "url": url,
                          "schedule": job.schedule, "scheduledTime": scheduled_ms,
                          "status": status, "error": error, "durationMs": ms,
                          "triggeredBy": triggered_by})
        outcome = str(status) if status is not None else f"error: {error}"
        ok = status is not None and 200 <= status < 300
        self.log.line(f"vercel-cron GET {url}  job {job.name} -> {outcome} ({ms} ms)",
                      "green" if ok else "red")


def _next(schedule: str, after_ms: int, timezone: str = "UTC") -> int | None:
    # Vercel's rules; UTC, or the schedule's zone with Vercel Schedules (vercel.output).
    dialect = cron.get_dialect("vercel", output="crons" if timezone == "UTC" else "schedules")
    at = dialect.next_after(schedule, from_ms(after_ms), timezone)
    return to_ms(at) if at else None
