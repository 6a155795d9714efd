"""The wiring of `cronctl run` and `cronctl exec` (options only), registered on cli.app."""

from __future__ import annotations

from typing import Annotated

import typer

from .commands import JobArg, _state, command


@command("run")
def run_cmd(
    ctx: typer.Context,
    listen: Annotated[str | None, typer.Option(
        "--listen", metavar="HOST:PORT", help="Serve /healthz and /metrics here (default: "
        "runner.listen, 127.0.0.1:9464; '' for none).")] = None,
    stuck_after: Annotated[float, typer.Option(
        "--stuck-after", metavar="SECONDS", min=1,
        help="/healthz answers 503 when the loop has not ticked for this long.")] = 30,
    once: Annotated[bool, typer.Option(
        "--once", help="Run what is due now, wait for it, and exit.")] = False,
) -> int:
    """Run the target: runner jobs: schedule, fire, record each run in the ledger."""
    from ..commands import run

    return run.run(_state(ctx), listen=listen, stuck_after=stuck_after, once=once)


@command("exec", context_settings={"allow_interspersed_args": False})
def exec_cmd(
    ctx: typer.Context,
    job: JobArg,
    cmd: Annotated[list[str] | None, typer.Argument(
        metavar="-- CMD [ARGS]...", help="The command to run, after --.")] = None,
    overlap: Annotated[str | None, typer.Option(
        "--overlap", metavar="allow|forbid|replace",
        help="The overlap policy (default: the job's; forbid without a schedules.yaml).")
    ] = None,
    timeout: Annotated[int | None, typer.Option(
        "--timeout", metavar="SECONDS", min=1, help="Stop the command after this long.")
    ] = None,
) -> int:
    """Run a command under JOB's lock and overlap policy, recorded in the runner's ledger;
    exits with the command's exit code."""
    from ..commands import exec_
    from ..errors import UsageError

    if overlap is not None and overlap not in ("allow", "forbid", "replace"):
        raise UsageError(f"--overlap {overlap!r}: one of allow, forbid, replace")
    return exec_.run(_state(ctx), job, list(cmd or []), overlap=overlap, timeout=timeout)
