"""What the runner's ledger tells `cronctl verify` (issue 28): runs as Observations, and the
one seam for check-ins.

Three targets read runs from this ledger: the runner (its scheduled runs: slot = the row's
scheduled time), Kubernetes (CronJobs wrapped in `cronctl exec`, recorded as `exec` rows: slot
unknown, matched by start) and any target whose jobs send check-ins (`checkins`). A ledger
that does not exist yet is not created by a read: a missing SQLite file means no runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..capabilities import Observation
from .records import Execution, database_url

SOURCE = "runner ledger"
OUTCOME = {"succeeded": "ok", "failed": "failed", "timeout": "failed", "abandoned": "failed",
           "cancelled": "failed", "running": "running", "skipped": "skipped",
           "missed": "skipped"}


def existing_ledger(config):
    """The project's ledger when it exists (a PostgreSQL URL always may); None for a SQLite
    file nobody has created (reading must not create it)."""
    from .ledger import Ledger
    from .model import settings_of

    url = database_url(settings_of(config), config.path)
    if not url.startswith(("postgres://", "postgresql://")) and not Path(url).is_file():
        return None
    return Ledger(url)


def loaded_at(ledger) -> dict[str, int]:
    """When the runner loaded each job as it is now (its liveness: live since)."""
    return dict(ledger._query("SELECT job, loaded_at FROM runner_jobs"))


def observations(ledger, names: Sequence[str], *, since_ms: int, until_ms: int,
                 exec_by: str = "manual", renamed: dict[str, str] | None = None,
                 strangers: set[str] | None = None, limit: int = 100_000
                 ) -> list[Observation]:
    """The ledger's runs of these jobs scheduled (or, for `exec` and manual rows, started) in
    the window. `exec_by`: what a `cronctl exec` row counts as (the runner: "manual", run by
    hand; Kubernetes: "exec", the wrapped CronJob's own run). `renamed`: old name -> new.
    `strangers`: the file's job names; given, the runs of every job not among them come too."""
    renamed = renamed or {}
    wanted = {*names, *renamed}
    rows = ledger.runs(None if strangers is not None else list(wanted), since=since_ms,
                       until=until_ms, limit=limit)
    return [as_observation(r, exec_by=exec_by, job=renamed.get(r.job, r.job)) for r in rows
            if r.job in wanted or (strangers is not None and r.job not in strangers)]


def as_observation(row: Execution, *, exec_by: str = "manual", job: str | None = None
                   ) -> Observation:
    by = {"exec": exec_by}.get(row.triggered_by, row.triggered_by)
    scheduled = by in ("schedule", "failover")
    return Observation(
        job=job or row.job, run_id=row.run_id,
        # A scheduled row is for its slot; a row started by hand or by exec is stamped with
        # the time it began, which is its start, not a slot.
        slot_ms=row.scheduled_at if scheduled else None,
        started_ms=row.started_at if row.started_at is not None or scheduled
        else row.scheduled_at,
        ended_ms=row.finished_at, outcome=OUTCOME.get(row.outcome, "failed"),
        started_by=by, source=SOURCE)


def keeps_checkins(config) -> bool:
    """Whether check-ins can be read at all (then a job without history of its own is still
    observable). False until the ledger keeps check-ins (issue 28 item 3)."""
    return False


def checkins(config, jobs: list, *, since_ms: int, until_ms: int) -> list[Observation] | None:
    """The check-ins (pings) of these jobs in the window, read from the runner's ledger: the
    one place any target reads them. None while the ledger keeps no check-ins (then a target
    without history of its own cannot observe the job). Issue 28 item 3 fills this in."""
    return None
