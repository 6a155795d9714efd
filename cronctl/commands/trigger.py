"""`cronctl trigger JOB`: run a job now, the way its target would; --wait for the outcome."""

from __future__ import annotations

from .. import engine
from ..app import confirm
from ..output import echo, print_json
from ..policy import refuse_locked
from ..targets.capabilities import Triggerable, capable
from ..words import count


def run(state, job_name: str, *, yes: bool, json_out: bool, force: bool = False,
        wait: bool = False, timeout: float = 300) -> int:
    config = state.load(remote=True)
    job = config.job(job_name)
    refuse_locked(config, job, "trigger", force=force)
    target = capable(engine.target_for(config, state, job), Triggerable, job)
    target.can_trigger(job)
    if not confirm(f"This will {target.trigger_summary(job)}. Run {job.name}?", yes=yes):
        echo("Nothing was run.", err=True)
        return 1
    result = target.trigger(job)
    outcome = target.wait(job, result, timeout=timeout) if wait else None
    ok = result.ok if outcome is None else outcome.state == "delivered"
    if json_out:
        print_json({**result.facts, **({"run": outcome.to_json()} if outcome else {})})
    else:
        first, _, rest = result.text.partition("\n")
        echo(result.text if outcome is None else first)
        if outcome is not None:
            echo(describe(outcome, timeout))
            hints = [line for line in rest.splitlines() if line.startswith("hint:")]
            if hints and outcome.state != "delivered":
                echo("\n".join(hints))
    return 0 if ok else 1


def describe(run, timeout: float) -> str:
    if run.state == "in-flight":
        status = f"HTTP {run.status}" if run.status is not None else None
        last = ", ".join(x for x in dict.fromkeys((status, run.problem)) if x)
        return (f"{run.job}: still running after {timeout:g}s ({count(run.attempts, 'attempt')} "
                f"so far{'; the last: ' + last if last else ''}); see 'cronctl logs {run.job}'")
    parts = [f"{run.job}: {run.state}", count(run.attempts, "attempt")]
    if run.status is not None:
        parts.append(f"HTTP {run.status}")
    if run.duration_ms is not None:
        parts.append(f"{run.duration_ms} ms")
    text = ", ".join(parts)
    return f"{text}: {run.problem}" if run.problem else text
