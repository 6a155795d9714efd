"""`cronctl next JOB [-n 5]`: upcoming runs in the job's timezone and in UTC."""

from __future__ import annotations

from datetime import UTC

from .. import cron
from ..output import echo, print_json


def run(state, job_name: str, *, count: int, json_out: bool) -> int:
    config = state.load()
    job = config.job(job_name)
    runs = cron.next_runs(job.schedule, job.timezone, count)
    if json_out:
        print_json(
            {
                "job": job.name,
                "schedule": job.schedule,
                "timezone": job.timezone,
                "description": cron.explain(job.schedule),
                "runs": [
                    {"local": r.isoformat(), "utc": r.astimezone(UTC).isoformat()} for r in runs
                ],
            }
        )
        return 0
    echo(f"{job.name}: {job.schedule} ({cron.explain(job.schedule)}, {job.timezone})")
    for r in runs:
        local = r.strftime("%a %Y-%m-%d %H:%M %Z")
        utc = r.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        echo(f"  {local}" if job.timezone == "UTC" else f"  {local}   ({utc})")
    return 0
