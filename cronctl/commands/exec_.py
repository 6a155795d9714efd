"""`cronctl exec JOB -- CMD ARGS...`: a command under a job's lock and overlap policy,
recorded in the runner's ledger; cronctl exits with the command's code (the work is the
runner's: cronctl/targets/runner/process.py)."""

from __future__ import annotations

from .. import targets


def run(state, job_name: str, command: list[str], *, overlap: str | None = None,
        timeout: int | None = None) -> int:
    return targets.target_class("runner").exec_command(state, job_name, command,
                                                       overlap=overlap, timeout=timeout)
