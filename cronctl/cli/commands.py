"""The Typer app: options and wiring only. Each command imports its module when it runs,
so `cronctl --help` loads nothing it does not need.

No `from __future__ import annotations` here: Typer reads every command's signature on each
run, and string annotations would cost an `eval` each (a third of `validate`'s own time)."""

import functools
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__
from ..app import State, run_guarded
from .core import GlobalCommand, GlobalGroup, apply_globals, complete_job

app = typer.Typer(
    name="cronctl",
    cls=GlobalGroup,
    help="Manage Vercel crons, Upstash QStash schedules and Kubernetes CronJobs from one "
    "schedules.yaml.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain (click) help: flags read as flags ("--debug", "-v, --verbose"), and rich help
    # rendering cost more than the rest of start-up. tests/commands/test_cli_surface.py pins it.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cronctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option("--config", "-c", metavar="PATH",
                     help="Path to schedules.yaml (default: $CRONCTL_CONFIG, [tool.cronctl] "
                     "in pyproject.toml, ./schedules.yaml).")] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, show_default=False,
                                         help="More detail (repeat for more).")] = 0,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain output.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    # The global options: GlobalGroup shares them with every command, so they work after the
    # command too (`cronctl validate -c file.yaml`).
    apply_globals(ctx, {"config": config, "verbose": verbose, "debug": debug,
                        "no_color": no_color})


def command(*args: Any, **kwargs: Any):
    """Register a command whose body returns an exit code; errors become one clear message."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> None:
            ctx = kw.get("ctx") or a[0]  # every command takes the context first
            state: State = ctx.obj or State()
            code = run_guarded(lambda: fn(*a, **kw), debug=state.debug)
            raise typer.Exit(int(code))

        return app.command(*args, cls=GlobalCommand, **kwargs)(wrapper)

    return decorate


def _state(ctx: typer.Context) -> State:
    return ctx.obj or State()


JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
JobArg = Annotated[str, typer.Argument(help="Job name.", metavar="JOB",
                                       autocompletion=complete_job)]
JobsOpt = Annotated[list[str] | None, typer.Option(
    "--job", metavar="NAME", autocompletion=complete_job,
    help="Only this job (repeatable), like Terraform's -target.")]


@command("validate")
def validate_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> int:
    """Check schedules.yaml and report every problem with file, line and a hint."""
    from ..commands import validate

    return validate.run(_state(ctx), json_out=json_out)


@command("generate")
def generate_cmd(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 3 if out of date."
                                        )] = False,
) -> int:
    """Write vercel.json's crons and the Kubernetes manifest from schedules.yaml."""
    from ..commands import generate

    return generate.run(_state(ctx), check=check)


@command("next")
def next_cmd(
    ctx: typer.Context,
    job: JobArg,
    count: Annotated[int, typer.Option("-n", "--count", min=1, max=1000,
                                       help="How many runs.")] = 5,
    json_out: JsonOpt = False,
) -> int:
    """Show a job's next runs in its timezone and in UTC."""
    from ..commands import next_runs

    return next_runs.run(_state(ctx), job, count=count, json_out=json_out)


@command("list")
def list_cmd(
    ctx: typer.Context,
    local: Annotated[bool, typer.Option("--local", help="Only the file; no provider calls."
                                        )] = False,
    json_out: JsonOpt = False,
) -> int:
    """List every job: the file beside each target's live state (--local: the file only)."""
    from ..commands import list_jobs

    return list_jobs.run(_state(ctx), local=local, json_out=json_out)


@command("init")
def init_cmd(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(help="Project name (default: the folder's).")
                       ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> int:
    """Write a starter schedules.yaml and point pyproject.toml at it."""
    from ..commands import init

    return init.run(_state(ctx), project=project, force=force)


@command("diff")
def diff_cmd(
    ctx: typer.Context,
    exit_code: Annotated[bool, typer.Option("--exit-code",
                                            help="Exit 3 when anything would change.")] = False,
    json_out: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown",
                                           help="Markdown, for a pull-request comment.")] = False,
    job: JobsOpt = None,
    out: Annotated[str | None, typer.Option(
        "--out", metavar="FILE",
        help="Save the plan, for 'cronctl schedule --plan FILE' to apply exactly it.")] = None,
) -> int:
    """Show every target's plan (vercel.json, QStash, Kubernetes manifest); change nothing."""
    from ..commands import diff

    return diff.run(_state(ctx), exit_code=exit_code, json_out=json_out, markdown=markdown,
                    jobs=tuple(job or ()), out=out)


@command("schedule")
def schedule_cmd(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan only.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    no_prune: Annotated[bool, typer.Option("--no-prune",
                                           help="Keep schedules of removed jobs.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Override the safety limit.")] = False,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, max=64, metavar="N",
        help="At most this many writes in flight (default: adapts to the server, up to 64)."
    )] = None,
    adopt: Annotated[bool, typer.Option(
        "--adopt", help="Replace unmanaged schedules with the same destination and cron "
        "(after 'cronctl import').")] = False,
    json_out: JsonOpt = False,
    job: JobsOpt = None,
    plan: Annotated[str | None, typer.Option(
        "--plan", metavar="FILE",
        help="Apply exactly this saved plan ('cronctl diff --out FILE'); refused if the file "
        "or the live state changed since.")] = None,
) -> int:
    """Make every target match schedules.yaml (files written, QStash synced)."""
    from ..commands import schedule

    return schedule.run(_state(ctx), dry_run=dry_run, yes=yes, prune=not no_prune, force=force,
                        concurrency=concurrency, json_out=json_out, adopt=adopt,
                        jobs=tuple(job or ()), plan_file=plan)


@command("cleanup")
def cleanup_cmd(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all",
                                             help="Every managed schedule, not only orphans."
                                             )] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would go.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Override the safety limit.")] = False,
    json_out: JsonOpt = False,
) -> int:
    """Delete orphaned managed jobs on every target (never an unmanaged one)."""
    from ..commands import cleanup

    return cleanup.run(_state(ctx), everything=everything, yes=yes, dry_run=dry_run,
                       json_out=json_out, force=force)


@command("schema")
def schema_cmd(
    ctx: typer.Context,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file."
                                               )] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 3 if the file is out of date."
                                        )] = False,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="The configuration reference as Markdown instead; -o writes it "
        "between the markers of an existing page.")] = False,
) -> int:
    """Print (or write) the JSON Schema of schedules.yaml, for editors."""
    from ..commands import schema

    return schema.run(_state(ctx), output=output, check=check, markdown=markdown)


SinceOpt = Annotated[str, typer.Option("--since", help="Window, e.g. 24h, 90m, 7d.")]


@command("stats")
def stats_cmd(
    ctx: typer.Context,
    since: SinceOpt = "24h",
    job: Annotated[str | None, typer.Option("--job", help="Only this job.",
                                            autocompletion=complete_job)] = None,
    fail_on: Annotated[int | None, typer.Option(
        "--fail-on", min=1, metavar="N",
        help="Exit 1 when a job failed N or more times in a row.")] = None,
    pause_failing: Annotated[int | None, typer.Option(
        "--pause-failing", min=1, metavar="N",
        help="Pause the jobs that failed N or more times in a row.")] = None,
    json_out: JsonOpt = False,
) -> int:
    """Deliveries per business job: runs, success rate, retries, latency, DLQ."""
    from ..commands import stats

    return stats.run(_state(ctx), since=since, job=job, json_out=json_out, fail_on=fail_on,
                     pause_failing=pause_failing)


@command("probe")
def probe_cmd(
    ctx: typer.Context,
    fail_on: Annotated[int | None, typer.Option(
        "--fail-on", min=1, metavar="N",
        help="A job failed N or more times in a row is a failure, not a warning.")] = None,
    json_out: JsonOpt = False,
) -> int:
    """Health check: file, targets, signing keys, CRON_SECRET, deliveries, app diagnostics."""
    from ..commands import probe

    return probe.run(_state(ctx), json_out=json_out, fail_on=fail_on)


ForceOpt = Annotated[bool, typer.Option("--force", help="Even if the job is locked: true.")]


@command("trigger")
def trigger_cmd(
    ctx: typer.Context,
    job: JobArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run without asking.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the outcome, print it.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds --wait waits.")] = 300,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> int:
    """Run a job now, the way its target would (QStash publish, or Vercel's GET)."""
    from ..commands import trigger

    return trigger.run(_state(ctx), job, yes=yes, json_out=json_out, force=force, wait=wait,
                       timeout=timeout)


@command("pause")
def pause_cmd(ctx: typer.Context, job: JobArg, force: ForceOpt = False) -> int:
    """Pause a job on its target now (QStash)."""
    from ..commands import pause

    return pause.run(_state(ctx), job, pause=True, force=force)


@command("resume")
def resume_cmd(ctx: typer.Context, job: JobArg, force: ForceOpt = False) -> int:
    """Resume a job on its target now (QStash)."""
    from ..commands import pause

    return pause.run(_state(ctx), job, pause=False, force=force)


@command("import")
def import_cmd(
    ctx: typer.Context,
    from_qstash: Annotated[bool, typer.Option("--from-qstash",
                                              help="Import QStash schedules (default).")] = False,
    from_vercel: Annotated[str | None, typer.Option("--from-vercel", metavar="FILE",
                                                    help="Import a vercel.json's crons.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file."
                                               )] = None,
    project: Annotated[str | None, typer.Option(help="Project name for the new file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file.")] = False,
) -> int:
    """Write schedules.yaml entries for schedules that exist today."""
    from ..commands import import_

    return import_.run(_state(ctx), from_qstash=from_qstash, from_vercel=from_vercel,
                       output=output, project=project, force=force)


@command("dev")
def dev_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8080,
    db: Annotated[str | None, typer.Option(
        help="SQLite file (default: .cronctl/dev.sqlite3 beside schedules.yaml).")] = None,
    memory: Annotated[bool, typer.Option("--memory", help="Keep state in memory only.")
                      ] = False,
    app_url: Annotated[str | None, typer.Option(
        "--app-url", help="Where every job is delivered, Vercel and QStash jobs alike "
        "(default: the file's base_url).")] = None,
    no_apply: Annotated[bool, typer.Option(
        "--no-apply", help="Do not apply schedules.yaml to this server (at start and on "
        "every change).")] = False,
    no_fire: Annotated[bool, typer.Option("--no-fire", help="Keep schedules; deliver nothing.")
                       ] = False,
    latency_ms: Annotated[int, typer.Option("--latency-ms",
                                            help="Delay added to every API response.")] = 0,
    fault_rate: Annotated[float, typer.Option(
        "--fault-rate", help="Share of API requests answered 500/503/429 or dropped.")] = 0.0,
    fault_seed: Annotated[int | None, typer.Option("--fault-seed",
                                                   help="Seed for --fault-rate.")] = None,
    access_log: Annotated[bool, typer.Option("--access-log",
                                             help="One line per API request.")] = False,
    max_schedules: Annotated[int | None, typer.Option(
        "--max-schedules", help="Answer 412 past this many schedules.")] = None,
    rate_limit: Annotated[str | None, typer.Option(
        "--rate-limit", metavar="N[/s]",
        help="QStash's burst limit: N management requests per second, else 429.")] = None,
    clock: Annotated[str, typer.Option(
        help="'wall', or 'frozen[:ISO time]' (advance it with POST /_cronctl/advance).")
    ] = "wall",
) -> int:
    """Run a local QStash-compatible server that also fires the Vercel jobs."""
    from ..commands import dev

    config_path = _state(ctx).optional_config_path()
    return dev.run(dev.DevOptions(
        config_path=config_path, host=host, port=port, db=Path(db) if db else None,
        memory=memory, app_url=app_url, fire=not no_fire, latency_ms=latency_ms,
        fault_rate=fault_rate, fault_seed=fault_seed, access_log=access_log,
        max_schedules=max_schedules, rate_limit=rate_limit, clock=clock, apply=not no_apply,
    ))
