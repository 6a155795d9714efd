"""`cronctl pause JOB` / `cronctl resume JOB`: pause or resume a job on its target now."""

from __future__ import annotations

from .. import engine
from ..output import echo
from ..policy import refuse_locked
from ..targets.capabilities import Pausable, capable


def run(state, job_name: str, *, pause: bool, force: bool = False) -> int:
    config = state.load(remote=True)
    job = config.job(job_name)
    refuse_locked(config, job, "pause" if pause else "resume", force=force)
    target = capable(engine.target_for(config, state, job), Pausable, job)
    target.pause(job, paused=pause)
    verb = "Paused" if pause else "Resumed"
    echo(f"{verb} {job.name} on {target.title}.")
    if job.enabled == pause:
        echo(file_still_decides(config, job, pause), err=True)
    return 0


def file_still_decides(config, job, paused: bool) -> str:
    file_says = "enabled: true" if job.enabled else "enabled: false"
    undo = "resume" if paused else "pause"
    return (f"note: {config.path.name} still says {file_says}, so the next 'cronctl schedule' "
            f"will {undo} it again. To make this last, set enabled: {str(not paused).lower()} "
            f"for {job.name} in {config.path.name}.")
