"""`cronctl next JOB [-n 5]`: upcoming runs in the job's timezone and in UTC, as its provider
fires them (the job's cron dialect: QStash's DST skips and repeats, Vercel Hobby's hour window)."""

from __future__ import annotations

from datetime import UTC, timedelta

from .. import targets
from ..output import echo, print_json


def run(state, job_name: str, *, count: int, json_out: bool) -> int:
    config = state.load()
    job = config.job(job_name)
    dialect = targets.dialect_of(config, job)
    runs = dialect.next_runs(job.schedule, job.timezone, count)
    description = dialect.describe(job.schedule, job.timezone)
    window = dialect.window_minutes
    if json_out:
        print_json(
            {
                "job": job.name,
                "schedule": job.schedule,
                "timezone": job.timezone,
                "provider": dialect.provider,
                "description": description,
                "window_minutes": window,
                "runs": [
                    {"local": r.isoformat(), "utc": r.astimezone(UTC).isoformat()} for r in runs
                ],
            }
        )
        return 0
    echo(f"{job.name}: {job.schedule} ({description}, {job.timezone})")
    for r in runs:
        local = r.strftime("%a %Y-%m-%d %H:%M %Z")
        if window:  # Vercel Hobby: any time within the scheduled hour
            start = r.replace(minute=0)
            local = (f"{start:%a %Y-%m-%d %H:%M}-"
                     f"{start + timedelta(minutes=window - 1):%H:%M} {start:%Z}")
        utc = r.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        echo(f"  {local}" if job.timezone == "UTC" else f"  {local}   ({utc})")
    if window and runs:
        echo("  (Hobby plan: Vercel runs each one some time within that hour)")
    return 0
