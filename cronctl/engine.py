"""The one sync engine (octoDNS's Manager.sync) behind `diff`, `schedule` and `cleanup`:

    for every target: desired, populate, plan → render → safety per target → confirm once
    → apply every target → report

`diff` stops after planning; `cleanup` plans deletes only. The engine presents nothing: it
returns a `SyncResult`, tells and asks through `Hooks`, and `present.py` renders the result as
text, JSON or Markdown (one JSON shape: a block per target, keyed by its name, plus what was
applied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import render, savedplan
from . import targets as registry
from .errors import UsageError
from .plan import Change, Plan, Thresholds, check_safety
from .targets import limits
from .targets.base import ApplyResult, OnDone, Target
from .targets.capabilities import Stats
from .words import count

Mode = Literal["diff", "schedule", "cleanup"]


def target_class(name: str) -> type[Target]:
    return registry.target_class(name)


def all_targets(config, state) -> list[Target]:
    """One of every registered target, in the registry's order."""
    return [target_class(name)(config, state) for name in registry.names()]


def targets(config, state, *, always: tuple[str, ...] = ()) -> list[Target]:
    """Every target the project uses (and those in `always`), in a stable order."""
    return [t for t in all_targets(config, state) if t.active(explicit=t.name in always)]


def target_for(config, state, job) -> Target:
    return target_class(job.target)(config, state)


def history(config, state) -> Target:
    """The target whose delivery history `cronctl stats` reads by default: the first that
    keeps one and runs jobs of this file (else the first that keeps one)."""
    keeping = [t for t in all_targets(config, state) if isinstance(t, Stats)]
    return next((t for t in keeping if t.jobs), keeping[0])


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


def plan_all(config, state, opts: Options, note: Callable[[str], None] = lambda text: None
             ) -> list[Planned]:
    out = []
    for target in targets(config, state):
        if opts.only_targets and target.name not in opts.only_targets:
            continue
        reason = target.skip_reason()
        if reason:
            note(reason)
            plan = Plan(config.project, target=target.name, title=target.title,
                        noun=target.noun, skipped=reason)
            out.append(Planned(target, plan))
            continue
        cleanup = opts.mode == "cleanup"
        desired = [] if cleanup and opts.everything else target.desired()
        live = target.populate()
        plan = target.plan(desired, live, prune=opts.prune, only_delete=cleanup,
                           adopt=opts.adopt)
        if not cleanup:
            plan.warnings = [f.line for f in limits.for_config(config, target.name)]
        key = opts.plan_key  # only to save or check a plan: the checksums are keyed
        out.append(Planned(target, plan) if key is None else Planned(
            target, plan, desired_digest=savedplan.digest(key, desired, plan.files_text(new=True)),
            live_digest=savedplan.digest(key, live, plan.files_text(new=False))))
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
    """Only the changes of these jobs (a rename counts under both names). A file that holds
    several jobs is written whole, so it is planned whole or not at all; a target with a file
    per job (its artifacts name their job) writes only those jobs' files."""
    wanted = set(names)
    plan = p.plan

    def ours(c: Change) -> bool:
        return c.job in wanted or (c.renamed_from or "") in wanted

    if p.target.is_file and plan.artifacts and all(a.jobs for a in plan.artifacts):
        plan.changes = [c for c in plan.changes if ours(c)]
        mine = wanted | {c.renamed_from for c in plan.changes if c.renamed_from}
        plan.artifacts = [a for a in plan.artifacts if set(a.jobs or ()) & mine]
        plan.unchanged = [n for n in plan.unchanged if n in wanted]
        plan.kept, plan.unmanaged = [n for n in plan.kept if n in wanted], []
        return p
    if p.target.is_file:
        if not any(ours(c) for c in plan.changes):
            p.plan = Plan(plan.project, target=plan.target, title=plan.title, noun=plan.noun,
                          skipped="none of the --job jobs change here")
            return p
        others = sorted(c.job for c in plan.changes if not ours(c))
        if others:
            raise UsageError(
                f"{_files(plan)} {'is' if len(plan.artifacts) == 1 else 'are'} written whole, "
                f"and would also change "
                f"{', '.join(others)}", hint="add those with --job too, or leave out --job")
        return p
    plan.changes = [c for c in plan.changes if ours(c)]
    plan.unchanged = [n for n in plan.unchanged if n in wanted]
    plan.kept = [n for n in plan.kept if n in wanted]
    plan.unmanaged = []
    return p


def _files(plan: Plan) -> str:
    return plan.artifacts[0].shown if len(plan.artifacts) == 1 else f"{plan.title}'s files"


@dataclass
class Hooks:
    """How the engine tells and asks while it runs, given by whoever runs it (the presenter,
    `present.py`, for a command): it never prints or prompts by itself."""

    note: Callable[[str], None] = lambda text: None  # e.g. why a target was skipped
    show: Callable[[list[Plan]], None] = lambda plans: None  # the plans, before asking
    confirm: Callable[[str], bool] = lambda question: False
    progress: Callable[[int], OnDone | None] = lambda total: None  # per change applied


@dataclass
class SyncResult:
    """What one sync did, for the presenter to render (text, JSON or Markdown)."""

    mode: Mode
    project: str
    planned: list[Planned]
    report: dict  # the one JSON shape: a block per target
    config: Any = None  # the loaded Config (diff)
    refused: list[str] = field(default_factory=list)  # safety refusals (nothing applied)
    dry_run: bool = False
    pending: bool = False  # there were changes to apply
    declined: bool = False  # the confirmation was declined
    applied: bool = False

    @property
    def plans(self) -> list[Plan]:
        return [p.plan for p in self.planned]

    @property
    def requests(self) -> int:
        return sum(p.target.requests for p in self.planned if not p.target.is_file)


def sync(state, opts: Options, hooks: Hooks | None = None) -> SyncResult:
    hooks = hooks or Hooks()
    saved = _saved(opts)
    # cleanup needs only names and IDs: no secrets required.
    config = state.load(require=() if opts.mode == "cleanup" else registry.names(),
                        remote=True)
    if saved is not None:
        savedplan.check_config(saved, config, Path(opts.plan_file or ""))
    if saved is not None or (opts.mode == "diff" and opts.out):
        opts.plan_key = savedplan.plan_key()
        if saved is not None:
            savedplan.check_key(saved, opts.plan_key, Path(opts.plan_file or ""))
    planned = plan_all(config, state, opts, note=hooks.note)
    if saved is not None:
        savedplan.check_targets(saved, planned, Path(opts.plan_file or ""))
    plans = [p.plan for p in planned]
    result = SyncResult(opts.mode, config.project, planned,
                        {"project": config.project, "command": opts.mode,
                         **render.report(plans)})
    if opts.mode == "diff":
        result.config = config  # for `diff --out` (the presenter saves the plan)
        return result
    hooks.show(plans)
    result.refused = _safety(config, plans) if not opts.force else []
    if result.refused:
        return result
    if opts.dry_run:
        result.dry_run = True
        return result
    pending = [p for p in planned if p.plan.has_changes]
    if not pending:
        return result
    result.pending = True
    if not hooks.confirm(_question(opts, plans)):
        result.declined = True
        return result
    on_done = hooks.progress(sum(len(p.plan.changes) for p in pending))
    for p in pending:
        p.result = p.target.apply(p.plan, concurrency=opts.concurrency, on_done=on_done)
    result.applied = True
    return result


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


def _safety(config, plans: list[Plan]) -> list[str]:
    s = config.safety
    limits = Thresholds(s.update_threshold, s.delete_threshold, s.min_existing) if s else None
    return [v.message for v in (check_safety(p, limits) for p in plans) if not v.ok]


def _question(opts: Options, plans: list[Plan]) -> str:
    if opts.mode == "cleanup":
        n = sum(p.count("delete") for p in plans)
        return f"Delete {count(n, 'managed schedule')}?"
    return "Apply these changes?"


def refusals(config, plans: list[Plan]) -> list[str]:
    """What the safety rules refuse in these plans (empty: they may be applied); for a plan
    made outside `sync` (the dashboard's schedule editor previews an edit not yet saved)."""
    return _safety(config, plans)
