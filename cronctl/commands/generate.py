"""`cronctl generate [--check]`: write the files of the file targets (vercel.json, the
Kubernetes manifest) from schedules.yaml."""

from __future__ import annotations

from .. import engine
from ..errors import ExitStatus
from ..output import echo


def run(state, *, check: bool) -> int:
    config = state.load(require=("vercel", "kubernetes"))
    stale = False
    # The file targets the project uses; with none, the default file (vercel.json).
    files = [t for t in engine.targets(config, state) if t.is_file]
    if not files:
        files = [t for t in engine.all_targets(config, state)
                 if t.is_file and t.generated_by_default]
    for target in files:
        plan = target.plan(target.desired(), target.populate())
        art = plan.artifact
        assert art is not None
        if check:
            if art.changed:
                echo(art.unified_diff().rstrip("\n"))
                echo(f"{art.path} is out of date; run 'cronctl generate'", err=True)
                stale = True
            else:
                echo(f"{art.path} is up to date")
            continue
        if target.apply(plan).wrote:
            echo(f"wrote {art.path} ({target.count_line(plan)})")
        else:
            echo(f"{art.path} is up to date")
    return ExitStatus.CHANGES if stale else ExitStatus.OK
