"""`cronctl generate [--check]`: the crons array of vercel.json."""

from __future__ import annotations

from ..errors import ExitStatus
from ..output import echo
from ..targets import vercel


def run(state, *, check: bool) -> int:
    config = state.load(require=("infrastructure",))
    change = vercel.plan(config)
    if check:
        if change.changed:
            echo(change.unified_diff().rstrip("\n"))
            echo(f"{change.path} is out of date; run 'cronctl generate'", err=True)
            return ExitStatus.CHANGES
        echo(f"{change.path} is up to date")
        return ExitStatus.OK
    if vercel.apply(change):
        n = len(change.new_crons)
        echo(f"wrote {change.path} ({n} cron{'s' if n != 1 else ''})")
    else:
        echo(f"{change.path} is up to date")
    return ExitStatus.OK
