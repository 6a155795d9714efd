"""`cronctl pause JOB` / `cronctl resume JOB`: change a business job on QStash now."""

from __future__ import annotations

import asyncio

from ..errors import UsageError
from ..output import echo
from ..targets.qstash import connect as _qstash


def run(state, job_name: str, *, pause: bool) -> int:
    config = state.load()
    job = config.job(job_name)
    if not job.is_business:
        raise UsageError(
            f"{job.name!r} is an infrastructure job; Vercel crons cannot be paused",
            hint="set enabled: false in schedules.yaml and run 'cronctl generate'",
        )

    async def go() -> None:
        async with _qstash.client(state) as client:
            if pause:
                await client.pause(job.schedule_id)
            else:
                await client.resume(job.schedule_id)

    asyncio.run(go())
    verb = "Paused" if pause else "Resumed"
    echo(f"{verb} {job.name} on QStash.")
    if job.enabled == pause:
        file_says = "enabled: true" if job.enabled else "enabled: false"
        undo = "resume" if pause else "pause"
        echo(f"note: {config.path.name} still says {file_says}, so the next 'cronctl schedule' "
             f"will {undo} it again. To make this last, set enabled: {str(not pause).lower()} "
             f"for {job.name} in {config.path.name}.", err=True)
    return 0
