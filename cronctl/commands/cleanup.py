"""`cronctl cleanup`: delete orphaned managed schedules (or all managed ones with --all)."""

from __future__ import annotations

from .. import render as render_plan
from ..errors import ExitStatus
from ..output import echo, print_json, print_renderable
from ..targets.qstash import connect as _qstash
from ..targets.qstash.sync import desired_specs


def run(state, *, everything: bool, yes: bool, dry_run: bool, json_out: bool) -> int:
    config = state.load()  # only schedule IDs are needed: no secrets required
    desired = [] if everything else desired_specs(config)
    plan, _ = _qstash.fetch_plan(state, config, only_delete=True, desired=desired)
    if not json_out:
        print_renderable(render_plan.text(plan))
    if dry_run or not plan.has_changes:
        if json_out:
            print_json({"qstash": render_plan.to_json(plan), "deleted": []})
        return ExitStatus.OK
    n = plan.count("delete")
    if not _qstash.confirm(f"Delete {n} managed schedule(s)?", yes=yes):
        echo("Nothing was deleted.", err=True)
        return ExitStatus.OK
    result, _ = _qstash.apply_plan(state, plan)
    if json_out:
        print_json({
            "qstash": render_plan.to_json(plan),
            "deleted": [c.job for c in result.done],
            "failed": [{"job": f.change.job, "error": f.message} for f in result.failed],
        })
    else:
        echo(f"Deleted {len(result.done)} schedule(s).")
        for f in result.failed:
            echo(f"failed: - {f.change.job}: {f.message}", err=True)
    return ExitStatus.FAILED if result.failed else ExitStatus.OK
