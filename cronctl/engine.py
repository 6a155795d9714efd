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
from pathlib import Path
from typing import Literal

from . import render, savedplan
from .app import confirm
from .ci import append_summary
from .errors import ExitStatus, SafetyError, UsageError
from .output import console, echo, print_json, print_renderable
from .plan import SYMBOLS, Change, Plan, Thresholds, check_safety
from .targets.base import ApplyResult, Target
from .words import count

Mode = Literal["diff", "schedule", "cleanup"]
TARGETS = {
    "vercel": "cronctl.targets.vercel:VercelTarget",
    "qstash": "cronctl.targets.qstash.target:QStashTarget",
    "kubernetes": "cronctl.targets.kubernetes.target:KubernetesTarget",
    "runner": "cronctl.targets.runner.target:RunnerTarget",
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
    jobs: tuple[str, ...] = ()  # --job: only these jobs (Terraform's -target)
    out: str | None = None  # diff --out: save the plan
    plan_file: str | None = None  # schedule --plan: apply a saved plan
    only_targets: tuple[str, ...] = ()  # plan only these targets (cronctl dev: qstash)
    plan_key: savedplan.PlanKey | None = None  # set for --out and --plan (savedplan.py)


@dataclass
class Planned:
    target: Target
    plan: Plan
    result: ApplyResult = field(default_factory=ApplyResult)
    desired_digest: str = ""  # checksums for a saved plan (savedplan.py)
    live_digest: str = ""


def plan_all(config, state, opts: Options) -> list[Planned]:
    out = []
    for target in targets(config, state):
        if opts.only_targets and target.name not in opts.only_targets:
            continue
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
        art = plan.artifact
        key = opts.plan_key  # only to save or check a plan: the checksums are keyed
        out.append(Planned(target, plan) if key is None else Planned(
            target, plan, desired_digest=savedplan.digest(key, desired, art and art.new_text),
            live_digest=savedplan.digest(key, live, art and art.old_text)))
    if opts.jobs:
        out = [limit(p, opts.jobs) for p in _known(config, out, opts.jobs)]
    return out


def _known(config, planned: list[Planned], names: tuple[str, ...]) -> list[Planned]:
    """--job names a job of the file or an orphan in some plan; else a did-you-mean."""
    seen = {c.job for p in planned for c in p.plan.changes} | {j.name for j in config.jobs}
    for name in names:
        if name not in seen:
            config.job(name)  # raises, with a did-you-mean
    return planned


def limit(p: Planned, names: tuple[str, ...]) -> Planned:
    """Only the changes of these jobs (a rename counts under both names). A file target is
    written whole, so it is planned whole or not at all."""
    wanted = set(names)
    plan = p.plan

    def ours(c: Change) -> bool:
        return c.job in wanted or (c.renamed_from or "") in wanted

    if plan.artifact is not None:
        if not any(ours(c) for c in plan.changes):
            p.plan = Plan(plan.project, target=plan.target, title=plan.title, noun=plan.noun,
                          skipped="none of the --job jobs change here")
            return p
        others = sorted(c.job for c in plan.changes if not ours(c))
        if others:
            raise UsageError(
                f"{plan.artifact.path.name} is written whole, and would also change "
                f"{', '.join(others)}", hint="add those with --job too, or leave out --job")
        return p
    plan.changes = [c for c in plan.changes if ours(c)]
    plan.unchanged = [n for n in plan.unchanged if n in wanted]
    plan.kept = [n for n in plan.kept if n in wanted]
    plan.unmanaged = []
    return p


def sync(state, opts: Options) -> int:
    saved = _saved(opts)
    # cleanup needs only names and IDs: no secrets required.
    config = state.load(require=() if opts.mode == "cleanup" else tuple(TARGETS),
                        remote=True)
    if saved is not None:
        savedplan.check_config(saved, config, Path(opts.plan_file or ""))
    if saved is not None or (opts.mode == "diff" and opts.out):
        opts.plan_key = savedplan.plan_key()
        if saved is not None:
            savedplan.check_key(saved, opts.plan_key, Path(opts.plan_file or ""))
    planned = plan_all(config, state, opts)
    if saved is not None:
        savedplan.check_targets(saved, planned, Path(opts.plan_file or ""))
    plans = [p.plan for p in planned]
    report = {"project": config.project, "command": opts.mode, **render.report(plans)}
    if opts.mode != "cleanup":
        append_summary(render.markdown(plans))
    if opts.mode == "diff":
        if opts.out:
            savedplan.write(Path(opts.out), config=config, planned=planned, report=report,
                            options={"jobs": list(opts.jobs), "prune": opts.prune,
                                     "adopt": opts.adopt}, key=opts.plan_key)
            echo(f"Saved the plan to {opts.out}; apply exactly it with "
                 f"'cronctl schedule --plan {opts.out}'.", err=True)
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
    if not confirm(_question(opts, plans), yes=opts.yes, dry_run=True):
        # Declined: nothing happened that was asked for (Terraform exits 1 here too).
        echo("Nothing was deleted." if opts.mode == "cleanup" else "Nothing was changed.",
             err=True)
        return ExitStatus.FAILED
    total = sum(len(p.plan.changes) for p in pending)
    on_done = _progress(state, total, opts.json_out)
    for p in pending:
        p.result = p.target.apply(p.plan, concurrency=opts.concurrency, on_done=on_done)
        if p.result.wrote and not opts.json_out:
            echo(f"wrote {p.result.wrote}")
    return _report(planned, report, opts)


def _saved(opts: Options) -> dict | None:
    """schedule --plan: the saved plan's options replace the command's; it was reviewed, so
    it is applied without asking."""
    if not opts.plan_file:
        return None
    if opts.jobs or opts.adopt or not opts.prune:
        raise UsageError("--plan applies a saved plan with the options it was made with",
                         hint="give --job and the other options to 'cronctl diff --out' instead")
    saved = savedplan.read(Path(opts.plan_file))
    options = saved.get("options") or {}
    opts.jobs = tuple(options.get("jobs") or ())
    opts.prune = bool(options.get("prune", True))
    opts.adopt = bool(options.get("adopt", False))
    opts.yes = True
    return saved


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
        return f"Delete {count(n, 'managed schedule')}?"
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
            echo(f"Deleted {count(n, 'schedule')}.")
        else:
            remote = [p.target.title for p in planned if not p.target.is_file]
            cost = f" ({count(requests, '/'.join(remote) + ' request')})" if remote else ""
            echo(f"Applied {count(n, 'change')}{cost}.")
        for _, f in failed:
            echo(f"failed: {SYMBOLS[f.change.action]} {f.change.job}: {f.message}", err=True)
        if failed and opts.mode != "cleanup":
            echo(f"{count(len(failed), 'change')} failed; the others were applied. "
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
