"""`cronctl run`: the runner target's scheduler, in the foreground (the work is the runner's:
cronctl/targets/runner/process.py)."""

from __future__ import annotations

from .. import targets


def run(state, *, listen: str | None, stuck_after: float, once: bool = False) -> int:
    return targets.target_class("runner").serve(state, listen=listen,
                                                stuck_after=stuck_after, once=once)
