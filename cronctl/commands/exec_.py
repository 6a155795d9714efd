"""`cronctl exec JOB -- CMD ARGS...`: run a command under a job's contract, wherever it runs
(a Kubernetes CronJob's container, a CI job, a crontab line): the job's lock and overlap
policy, the run recorded in the runner's ledger (start, end, exit code, duration, the tail
of the output), and the command's own exit code as cronctl's.

Exit codes: the command's; 124 when it timed out, 127 when it could not start, 128+N when a
signal N ended it, 75 (EX_TEMPFAIL) when the job is already running and its overlap policy is
forbid, 2 for a usage or configuration error.

Without a schedules.yaml (a container with only cronctl in it, as `kubernetes: {wrap: true}`
writes), `--overlap` and `--timeout` give the policy and CRONCTL_DATABASE_URL the ledger."""

from __future__ import annotations

from ..errors import UsageError
from ..output import echo

BUSY = 75


def run(state, job_name: str, command: list[str], *, overlap: str | None = None,
        timeout: int | None = None) -> int:
    import logging
    from dataclasses import replace

    from ..targets.runner.manual import Busy, job_for_exec, run_now, standalone_job

    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise UsageError("no command to run", hint=f"cronctl exec {job_name} -- CMD [ARGS...]")
    quiet = logging.getLogger("cronctl.runner")  # one line of its own below, not the log's
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    config = state.load() if state.optional_config_path() is not None else None
    if config is None:  # only cronctl in the container: the options say the policy
        job = standalone_job(job_name, tuple(command), overlap, timeout)
    else:
        job = job_for_exec(config, config.job(job_name), tuple(command))
        job = replace(job, overlap=overlap or job.overlap, timeout=timeout or job.timeout)
    try:
        row = run_now(config, job, triggered_by="exec", command=tuple(command), echo=True)
    except Busy as exc:
        echo(f"cronctl exec: {exc.message}", err=True)
        if exc.hint:
            echo(f"  hint: {exc.hint}", err=True)
        return BUSY
    if row.outcome == "timeout":
        code = 124
    elif row.exit_code is None:
        code = 1
    elif row.exit_code < 0:
        code = 128 - row.exit_code
    else:
        code = row.exit_code
    if row.outcome != "succeeded":
        echo(f"cronctl exec: {row.run_id} {row.outcome}: {row.error}", err=True)
    return code
