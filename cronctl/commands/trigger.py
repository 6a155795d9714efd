"""`cronctl trigger JOB`: run a job now, the way its target would."""

from __future__ import annotations

from .. import engine
from ..app import confirm
from ..output import echo, print_json


def run(state, job_name: str, *, yes: bool, json_out: bool) -> int:
    config = state.load(remote=True)
    job = config.job(job_name)
    target = engine.target_for(config, state, job)
    target.can_trigger(job)
    if not confirm(f"Run {job.name} now?", yes=yes):
        echo("Nothing was run.", err=True)
        return 1
    result = target.trigger(job)
    if json_out:
        print_json(result.facts)
    else:
        echo(result.text)
    return 0 if result.ok else 1
