"""The wiring of `cronctl logs` and `cronctl dlq` (options only), registered on cli.app."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .commands import JsonOpt, SinceOpt, _state, command

EveryJobArg = Annotated[str | None, typer.Argument(help="Job name (default: every job).")]


@command("logs")
def logs_cmd(
    ctx: typer.Context,
    job: EveryJobArg = None,
    status: Annotated[str | None, typer.Option("--status", metavar="STATE", help="Only runs "
                                               "in this state: failed, delivered or in-flight.")
                      ] = None,
    since: SinceOpt = "24h",
    until: Annotated[str | None, typer.Option(
        "--until", help="End of the window: a duration ago (1h) or an ISO time.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most N runs.")] = 50,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new runs.")] = False,
    json_out: JsonOpt = False,
) -> int:
    """Run history: one row per run (scheduled or manual), newest first."""
    from ..commands import logs

    return logs.run(_state(ctx), job=job, status=status, since=since, until=until,
                    limit=limit, follow=follow, json_out=json_out)


def _dlq_ids(flag: str, verb: str) -> Any:
    return Annotated[list[str] | None, typer.Option(
        flag, metavar="ID|--all", help=f"{verb} this message (repeatable); {flag} --all: all.")]


@command("dlq")
def dlq_cmd(
    ctx: typer.Context,
    job: EveryJobArg = None,
    retry: _dlq_ids("--retry", "Deliver again") = None,
    delete: _dlq_ids("--delete", "Delete") = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="Every message of the job, or of every job.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking.")] = False,
    json_out: JsonOpt = False,
) -> int:
    """The dead-letter queue of the project's jobs; --retry or --delete messages."""
    from ..commands import dlq

    return dlq.run(_state(ctx), job=job, retry=retry, delete=delete, everything=everything,
                   yes=yes, json_out=json_out)
