"""The wiring of `cronctl logs`, `cronctl verify`, `cronctl dlq` and `cronctl ui` (options
only), registered on cli.app."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .commands import JsonOpt, SinceOpt, _state, command
from .core import complete_job

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


@command("verify")
def verify_cmd(
    ctx: typer.Context,
    jobs: Annotated[list[str] | None, typer.Argument(
        help="Job names (default: every job).", metavar="JOB",
        autocompletion=complete_job)] = None,
    since: SinceOpt = "24h",
    json_out: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown output.")] = False,
) -> int:
    """Did every run happen? Expected slots against observed runs, per job (exit 1 on a
    missed, failed, duplicate or stuck run)."""
    from ..commands import verify

    return verify.run(_state(ctx), jobs=list(jobs or ()), since=since, json_out=json_out,
                      markdown=markdown)


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


@command("ui")
def ui_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on (not loopback: needs TLS "
                                      "or --insecure-public).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8790,
    tokens_file: Annotated[str | None, typer.Option(
        "--tokens-file", metavar="FILE",
        help="USER:ROLE:TOKEN lines (default: $CRONCTL_UI_TOKENS).")] = None,
    tls_cert: Annotated[str | None, typer.Option("--tls-cert", metavar="FILE",
                                                 help="Serve HTTPS with this certificate.")
                        ] = None,
    tls_key: Annotated[str | None, typer.Option("--tls-key", metavar="FILE",
                                                help="The certificate's private key.")] = None,
    insecure_public: Annotated[bool, typer.Option(
        "--insecure-public", help="Allow a non-loopback --host without TLS (a TLS proxy "
        "in front).")] = False,
    refresh: Annotated[float, typer.Option(
        "--refresh", min=1, max=3600, metavar="SECONDS",
        help="Reuse what the targets said for this long.")] = 15,
    window: Annotated[str, typer.Option("--window", help="Runs summarised, e.g. 24h, 7d.")
                      ] = "24h",
    trigger_limit: Annotated[int, typer.Option(
        "--trigger-limit", min=1, metavar="N", help="Manual runs per user per minute.")] = 5,
) -> int:
    """Serve a web dashboard of every job (login with a token; roles viewer/operator/admin)."""
    from ..commands import ui

    return ui.run(_state(ctx), host=host, port=port, tokens_file=tokens_file,
                  tls_cert=tls_cert, tls_key=tls_key, insecure_public=insecure_public,
                  refresh=refresh, window=window, trigger_limit=trigger_limit)
