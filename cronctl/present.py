"""The one presenter of `diff`, `schedule` and `cleanup`: it runs the engine with hooks that show
the plans and ask, and renders the `SyncResult` as text, JSON or Markdown (octoDNS's plan
outputs), with the exit code. The engine itself presents nothing."""

from __future__ import annotations

from pathlib import Path

from . import engine, render, savedplan
from .app import confirm
from .ci import append_summary
from .environment import current
from .errors import CronctlError, ExitStatus, SafetyError
from .output import console, echo, print_json, print_renderable
from .plan import SYMBOLS, Change, Plan
from .words import count


def sync(state, opts: engine.Options) -> int:
    """Run one sync and present it; the exit code. Ctrl-C while applying says how far it got
    (exit 130): the next run plans against what is live, so it finishes the rest."""
    applying: list[int] = []  # [changes to apply, changes applied] once applying began
    try:
        result = engine.sync(state, opts, hooks(state, opts, applying))
    except KeyboardInterrupt:
        if not applying:
            raise
        total, done = applying
        again = "cronctl cleanup" if opts.mode == "cleanup" else "cronctl schedule"
        raise CronctlError(f"interrupted: {done} of {count(total, 'change')} applied",
                           hint=f"run '{again}' again to apply the rest (it plans against "
                           "what is live, so what was applied shows no change)",
                           exit_status=ExitStatus.INTERRUPTED) from None
    return finish(result, opts)


def hooks(state, opts: engine.Options, applying: list[int] | None = None) -> engine.Hooks:
    def progress(total: int):
        shown = _progress(state, total, opts.json_out)
        if applying is None:
            return shown
        applying[:] = [total, 0]

        def on_done(change: Change, error: str | None) -> None:
            applying[1] += error is None
            shown(change, error)

        return on_done

    return engine.Hooks(
        note=lambda text: echo(f"note: {text}", err=True),
        show=(lambda plans: None) if opts.json_out else show,
        confirm=lambda question: confirm(question, yes=opts.yes, dry_run=True),
        progress=progress,
    )


def finish(result: engine.SyncResult, opts: engine.Options) -> int:
    plans, report = result.plans, result.report
    if result.mode != "cleanup":
        append_summary(render.markdown(plans))
    if result.mode == "diff":
        if opts.out:
            savedplan.write(Path(opts.out), config=result.config, planned=result.planned,
                            report=report, options={"jobs": list(opts.jobs),
                                                    "prune": opts.prune, "adopt": opts.adopt},
                            key=opts.plan_key)
            echo(f"Saved the plan to {opts.out}; apply exactly it with "
                 f"'cronctl schedule --plan {opts.out}'.", err=True)
        return _diff_output(plans, report, opts)
    if result.refused:
        if opts.json_out:
            print_json({**report, "refused": "; ".join(result.refused)})
        raise SafetyError("refused: " + "; ".join(result.refused),
                          hint="review the plan; pass --force to apply it anyway")
    if result.dry_run:
        if opts.json_out:
            print_json({**report, "dry_run": True})
        return ExitStatus.OK
    if not result.pending:
        if opts.json_out:
            print_json({**report, "applied": [], "failed": [], "requests": result.requests})
        return ExitStatus.OK
    if result.declined:
        # Declined: nothing happened that was asked for (Terraform exits 1 here too).
        echo("Nothing was deleted." if result.mode == "cleanup" else "Nothing was changed.",
             err=True)
        return ExitStatus.FAILED
    if not opts.json_out:
        for p in result.planned:
            if p.result.wrote:
                echo(f"wrote {p.result.wrote}")
    return _report(result, opts)


def show(plans: list[Plan]) -> None:
    first = True
    for plan in plans:
        if plan.skipped:
            continue
        if not first:
            echo()
        first = False
        print_renderable(render.text(plan))


def _diff_output(plans: list[Plan], report: dict, opts: engine.Options) -> int:
    if opts.json_out:
        print_json(report)
    elif opts.markdown:
        echo(render.markdown(plans).rstrip("\n"))
    else:
        show(plans)
    changed = any(p.has_changes for p in plans)
    return ExitStatus.CHANGES if opts.exit_code and changed else ExitStatus.OK


def _report(result: engine.SyncResult, opts: engine.Options) -> int:
    planned = result.planned
    done = [(p.target.name, c) for p in planned for c in p.result.done]
    failed = [(p.target.name, f) for p in planned for f in p.result.failed]
    requests = result.requests
    if opts.json_out:
        print_json(applied_json(result))
    else:
        n = len(done)
        if result.mode == "cleanup":
            echo(f"Deleted {count(n, 'schedule')}.")
        else:
            remote = [p.target.title for p in planned if not p.target.is_file]
            cost = f" ({count(requests, '/'.join(remote) + ' request')})" if remote else ""
            echo(f"Applied {count(n, 'change')}{cost}.")
        for _, f in failed:
            echo(f"failed: {SYMBOLS[f.change.action]} {f.change.job}: {f.message}", err=True)
        if failed and result.mode != "cleanup":
            echo(f"{count(len(failed), 'change')} failed; the others were applied. "
                 "Run 'cronctl schedule' again to retry them.", err=True)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def applied_json(result: engine.SyncResult) -> dict:
    """What `cronctl schedule --json` prints after applying (also the dashboard's answer)."""
    planned = result.planned
    return {
        **result.report,
        "applied": [{"target": p.target.name, "action": c.action, "job": c.job}
                    for p in planned for c in p.result.done],
        "failed": [{"target": p.target.name, "action": f.change.action, "job": f.change.job,
                    "error": f.message} for p in planned for f in p.result.failed],
        "requests": result.requests,
    }


def _progress(state, total: int, quiet: bool):
    """A progress bar on a terminal; one line per change with -v; nothing otherwise."""
    bar = None
    if not quiet and total >= 10 and current().stderr_tty:
        from rich.progress import Progress

        bar = Progress(console=console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("applying", total=total)
    remaining = [total]

    def on_done(change: Change, error: str | None) -> None:
        if bar is not None:
            bar.advance(task)
            remaining[0] -= 1
            if remaining[0] == 0:
                bar.stop()
        if state.verbose and not quiet:
            mark = "failed" if error else "ok"
            echo(f"  {SYMBOLS[change.action]} {change.job}: {mark}", err=True)

    return on_done
