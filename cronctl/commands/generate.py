"""`cronctl generate [--check]`: write the files of the file targets (every registered target
that writes files, e.g. vercel.json or a Kubernetes manifest) from schedules.yaml."""

from __future__ import annotations

from .. import engine
from ..errors import ExitStatus
from ..output import echo


def run(state, *, check: bool) -> int:
    config = state.load()
    stale = False
    # The file targets the project uses; with none, the registry's default file target.
    files = [t for t in engine.targets(config, state) if t.is_file]
    if not files:
        files = [t for t in engine.all_targets(config, state)
                 if t.is_file and t.generated_by_default]
    # Every ${VAR} these targets' jobs read must be set: a file never holds a placeholder.
    config.require_env(tuple(t.name for t in files))
    for target in files:
        plan = target.plan(target.desired(), target.populate())
        if check:
            for art in plan.changed_artifacts:
                echo(art.unified_diff().rstrip("\n"))
                echo(f"{art.path} is out of date; run 'cronctl generate'", err=True)
                stale = True
            if not plan.changed_artifacts:
                echo(f"{_where(plan)} up to date")
            continue
        if target.apply(plan).wrote:
            for art in plan.changed_artifacts:
                echo(f"{'deleted' if art.deleted else 'wrote'} {art.path}"
                     + ("" if len(plan.artifacts) > 1 or art.deleted
                        else f" ({target.count_line(plan)})"))
        else:
            echo(f"{_where(plan)} up to date")
    return ExitStatus.CHANGES if stale else ExitStatus.OK


def _where(plan) -> str:
    if len(plan.artifacts) == 1:
        return f"{plan.artifacts[0].path} is"
    return f"{plan.title}'s {len(plan.artifacts)} files are"
