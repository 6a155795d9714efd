"""`cronctl schedule`: write vercel.json and make QStash match the file."""

from __future__ import annotations

import sys

from .. import render_plan, vercel
from ..ci import append_summary
from ..errors import ExitStatus, SafetyError
from ..output import console, echo, print_json
from ..plan import SYMBOLS, Change, check_safety
from ..sync import ApplyResult
from . import _qstash
from .diff import show


def run(state, *, dry_run: bool, yes: bool, prune: bool, force: bool, concurrency: int | None,
        json_out: bool, adopt: bool = False) -> int:
    config = state.load(require=("infrastructure", "business"))
    vchange = vercel.plan(config)
    plan, requests = _qstash.fetch_plan(state, config, prune=prune, adopt=adopt,
                                        vercel_only_ok=True)
    report = {"vercel": render_plan.vercel_json(vchange), "qstash": render_plan.to_json(plan)}
    if not json_out:
        show(vchange, plan)
    append_summary(render_plan.markdown(plan, vchange))
    verdict = check_safety(plan)
    if not verdict.ok and not force:
        if json_out:
            print_json({**report, "refused": verdict.message})
        raise SafetyError(
            f"refused: {verdict.message}",
            hint="review the plan; pass --force to apply it anyway",
        )
    if dry_run:
        if json_out:
            print_json({**report, "dry_run": True})
        return ExitStatus.OK
    if not vchange.changed and not plan.has_changes:
        if json_out:
            print_json({**report, "applied": [], "failed": [], "requests": requests})
        return ExitStatus.OK
    if not _qstash.confirm("Apply these changes?", yes=yes):
        echo("Nothing was changed.", err=True)
        return ExitStatus.OK
    if vercel.apply(vchange) and not json_out:
        echo(f"wrote {vchange.path}")
    result = ApplyResult()
    if plan.has_changes:
        result, more = _qstash.apply_plan(state, plan, concurrency=concurrency,
                                          on_done=_progress(state, len(plan.changes), json_out))
        requests += more
    failed = result.failed
    if json_out:
        print_json({
            **report,
            "applied": [{"action": c.action, "job": c.job} for c in result.done],
            "failed": [{"action": f.change.action, "job": f.change.job, "error": f.message}
                       for f in failed],
            "requests": requests,
        })
    else:
        done = len(result.done)
        echo(f"Applied {done} change{'s' if done != 1 else ''} ({requests} QStash requests).")
        for f in failed:
            echo(f"failed: {SYMBOLS[f.change.action]} {f.change.job}: {f.message}", err=True)
        if failed:
            echo(f"{len(failed)} change(s) failed; the others were applied. "
                 "Run 'cronctl schedule' again to retry them.", err=True)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def _progress(state, total: int, quiet: bool):
    """A progress bar on a terminal; one line per change with -v; nothing otherwise."""
    bar = None
    if not quiet and total >= 10 and sys.stderr.isatty():
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
