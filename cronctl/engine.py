"""The one sync engine (octoDNS's Manager.sync) behind `diff`, `schedule` and `cleanup`:

    for every target: desired, populate, plan → render → safety per target → confirm once
    → apply every target → report

`diff` stops after rendering; `cleanup` plans deletes only. Every command gets the same JSON
shape: one block per target, keyed by its name, plus what was applied.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Literal

from . import render
from .app import confirm
from .ci import append_summary
from .errors import ExitStatus, SafetyError
from .output import console, echo, print_json, print_renderable
from .plan import SYMBOLS, Change, Plan, Thresholds, check_safety
from .targets.base import ApplyResult, Target

Mode = Literal["diff", "schedule", "cleanup"]
TARGETS = {
    "vercel": "cronctl.targets.vercel:VercelTarget",
    "qstash": "cronctl.targets.qstash.target:QStashTarget",
    "kubernetes": "cronctl.targets.kubernetes.target:KubernetesTarget",
}


def target_class(name: str) -> type[Target]:
    module, _, cls = TARGETS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def targets(config, state, *, always: tuple[str, ...] = ()) -> list[Target]:
    """Every target the project uses (and those in `always`), in a stable order."""
    found = [target_class(name)(config, state) for name in TARGETS]
    return [t for t in found if t.active(explicit=t.name in always)]


def target_for(config, state, job) -> Target:
    return target_class(job.target)(config, state)


def history(config, state) -> Target:
    """The target whose delivery history `cronctl stats` reads (QStash keeps one)."""
    return next(t for t in (target_class(n)(config, state) for n in TARGETS) if t.keeps_history)


@dataclass
class Options:
    mode: Mode
    dry_run: bool = False
    yes: bool = False
    prune: bool = True
    force: bool = False
    concurrency: int | None = None  # a cap on requests in flight; None: the target adapts
    adopt: bool = False
    everything: bool = False  # cleanup --all
    json_out: bool = False
    markdown: bool = False
    exit_code: bool = False


@dataclass
class Planned:
    target: Target
    plan: Plan
    result: ApplyResult = field(default_factory=ApplyResult)


def plan_all(config, state, opts: Options) -> list[Planned]:
    out = []
    for target in targets(config, state):
        reason = target.skip_reason()
        if reason:
            echo(f"note: {reason}", err=True)
            plan = Plan(config.project, target=target.name, title=target.title,
                        noun=target.noun, skipped=reason)
            out.append(Planned(target, plan))
            continue
        cleanup = opts.mode == "cleanup"
        desired = [] if cleanup and opts.everything else target.desired()
        live = target.populate()
        plan = target.plan(desired, live, prune=opts.prune, only_delete=cleanup,
                           adopt=opts.adopt)
        out.append(Planned(target, plan))
    return out


def sync(state, opts: Options) -> int:
    # cleanup needs only names and IDs: no secrets required.
    config = state.load(require=() if opts.mode == "cleanup" else tuple(TARGETS))
    planned = plan_all(config, state, opts)
    plans = [p.plan for p in planned]
    report = {"project": config.project, "command": opts.mode, **render.report(plans)}
    if opts.mode != "cleanup":
        append_summary(render.markdown(plans))
    if opts.mode == "diff":
        return _diff_output(plans, report, opts)
    if not opts.json_out:
        show(plans)
    refusals = _safety(config, plans) if not opts.force else []
    if refusals:
        if opts.json_out:
            print_json({**report, "refused": "; ".join(refusals)})
        raise SafetyError("refused: " + "; ".join(refusals),
                          hint="review the plan; pass --force to apply it anyway")
    if opts.dry_run:
        if opts.json_out:
            print_json({**report, "dry_run": True})
        return ExitStatus.OK
    pending = [p for p in planned if p.plan.has_changes]
    if not pending:
        if opts.json_out:
            print_json({**report, "applied": [], "failed": [], "requests": _requests(planned)})
        return ExitStatus.OK
    if not confirm(_question(opts, plans), yes=opts.yes):
        echo("Nothing was deleted." if opts.mode == "cleanup" else "Nothing was changed.",
             err=True)
        return ExitStatus.OK
    total = sum(len(p.plan.changes) for p in pending)
    on_done = _progress(state, total, opts.json_out)
    for p in pending:
        p.result = p.target.apply(p.plan, concurrency=opts.concurrency, on_done=on_done)
        if p.result.wrote and not opts.json_out:
            echo(f"wrote {p.result.wrote}")
    return _report(planned, report, opts)


def _diff_output(plans: list[Plan], report: dict, opts: Options) -> int:
    if opts.json_out:
        print_json(report)
    elif opts.markdown:
        echo(render.markdown(plans).rstrip("\n"))
    else:
        show(plans)
    changed = any(p.has_changes for p in plans)
    return ExitStatus.CHANGES if opts.exit_code and changed else ExitStatus.OK


def show(plans: list[Plan]) -> None:
    first = True
    for plan in plans:
        if plan.skipped:
            continue
        if not first:
            echo()
        first = False
        print_renderable(render.text(plan))


def _safety(config, plans: list[Plan]) -> list[str]:
    s = config.safety
    limits = Thresholds(s.update_threshold, s.delete_threshold, s.min_existing) if s else None
    return [v.message for v in (check_safety(p, limits) for p in plans) if not v.ok]


def _question(opts: Options, plans: list[Plan]) -> str:
    if opts.mode == "cleanup":
        n = sum(p.count("delete") for p in plans)
        return f"Delete {n} managed schedule(s)?"
    return "Apply these changes?"


def _requests(planned: list[Planned]) -> int:
    return sum(p.target.requests for p in planned if not p.target.is_file)


def _report(planned: list[Planned], report: dict, opts: Options) -> int:
    done = [(p.target.name, c) for p in planned for c in p.result.done]
    failed = [(p.target.name, f) for p in planned for f in p.result.failed]
    requests = _requests(planned)
    if opts.json_out:
        print_json({
            **report,
            "applied": [{"target": t, "action": c.action, "job": c.job} for t, c in done],
            "failed": [{"target": t, "action": f.change.action, "job": f.change.job,
                        "error": f.message} for t, f in failed],
            "requests": requests,
        })
    else:
        n = len(done)
        if opts.mode == "cleanup":
            echo(f"Deleted {n} schedule(s).")
        else:
            remote = [p.target.title for p in planned if not p.target.is_file]
            cost = f" ({requests} {'/'.join(remote)} requests)" if remote else ""
            echo(f"Applied {n} change{'s' if n != 1 else ''}{cost}.")
        for _, f in failed:
            echo(f"failed: {SYMBOLS[f.change.action]} {f.change.job}: {f.message}", err=True)
        if failed and opts.mode != "cleanup":
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
