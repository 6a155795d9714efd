"""`cronctl pause JOB` / `cronctl resume JOB`: pause or resume a job on its target now."""

from __future__ import annotations

from .. import engine
from ..output import echo


def run(state, job_name: str, *, pause: bool) -> int:
    config = state.load(remote=True)
    job = config.job(job_name)
    target = engine.target_for(config, state, job)
    target.pause(job, paused=pause)
    verb = "Paused" if pause else "Resumed"
    echo(f"{verb} {job.name} on {target.title}.")
    if job.enabled == pause:
        file_says = "enabled: true" if job.enabled else "enabled: false"
        undo = "resume" if pause else "pause"
        echo(f"note: {config.path.name} still says {file_says}, so the next 'cronctl schedule' "
             f"will {undo} it again. To make this last, set enabled: {str(not pause).lower()} "
             f"for {job.name} in {config.path.name}.", err=True)
    return 0
