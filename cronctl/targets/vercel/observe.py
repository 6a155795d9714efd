"""What Vercel tells `cronctl verify` (issue 28). Vercel keeps no run list cronctl can read;
locally `cronctl dev` records every cron run it fires (`GET /_cronctl/runs`: slot = its
scheduled time), and in production a job is observed through its check-ins (the runner's
ledger: runner/observe.py). With neither, a job is unobservable and its slots not judged."""

from __future__ import annotations

from ...errors import UsageError
from ..capabilities import Liveness, Observation

SOURCE = "cronctl dev run log"
ALL = 1_000_000


def dev_log(target) -> dict | None:
    """`cronctl dev`'s run log (read once per command), or None when not against one."""
    if not hasattr(target, "_dev_log"):
        from ...dev.discovery import dev_server
        from .runs import dev_log as read

        try:
            target._dev_log = read(dev_server(target.state))
        except UsageError:
            target._dev_log = None
    return target._dev_log


def dev_runs(target) -> list | None:
    """Every run `cronctl dev` fired, as Runs, or None when not against one."""
    from .runs import dev_runs as runs

    data = dev_log(target)
    if data is None:
        return None
    return runs(None, target.jobs, since_ms=0, until_ms=None, state=None, limit=ALL, data=data)


def liveness(target, jobs: list) -> dict[str, Liveness]:
    from ..runner.observe import keeps_checkins
    from .runs import CANNOT

    blind, since = None, None
    data = dev_log(target)
    if data is not None:
        since = data.get("since") if isinstance(data.get("since"), int) else None
    elif not keeps_checkins(target.config):
        blind = f"{CANNOT.message}; send check-ins from the route (see the verify docs)"
    return {j.name: Liveness(j.name, since, unobservable=blind) for j in jobs}


def observed(target, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
    from ..runner.observe import checkins

    names = {j.name for j in jobs}
    found = list(checkins(target.config, jobs, since_ms=since_ms, until_ms=until_ms) or [])
    runs = dev_runs(target) or []
    for run in runs:
        if run.job in names and since_ms <= run.sort_ms <= until_ms:
            found.append(Observation(
                job=run.job, run_id=run.run_id, slot_ms=run.sort_ms, started_ms=run.sort_ms,
                ended_ms=run.sort_ms + (run.duration_ms or 0),
                outcome="ok" if run.state == "delivered" else "failed", source=SOURCE))
    return found, 1 if runs is not None else 0
