"""What QStash tells `cronctl verify` (issue 28): each message of a schedule as an Observation,
read from its logs in batches as `cronctl stats` reads them (deliveries.fetch), and each
schedule's liveness from one listing.

A scheduled message is CREATED when QStash fires the schedule: that time is the run's start
for matching (its slot is not in the logs). Delivered is ok, failed (out of retries) is failed,
anything else still running; a cancelled message was not run.
"""

from __future__ import annotations

from typing import Any

from ..capabilities import Liveness, Observation
from .deliveries import labels_of
from .runs import JobIndex, history_labels

SOURCE = "QStash logs"
ORDER = {"CREATED": 0, "ACTIVE": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 5,
         "CANCELED": 5, "CANCELLED": 5}
OUTCOME = {"DELIVERED": "ok", "FAILED": "failed", "CANCELED": "skipped", "CANCELLED": "skipped"}


def observations(events: list[dict[str, Any]], jobs: list, *, since_ms: int,
                 until_ms: int, orphans: dict[str, str] | None = None) -> list[Observation]:
    """One Observation per message of these jobs fired in [since_ms, until_ms]; `orphans`
    (schedule ID -> name): the project's live schedules no job of the file owns, whose runs
    are reported as runs of jobs not in the file."""
    index = JobIndex(jobs)
    orphans = orphans or {}

    def job_of(ev: dict) -> str | None:
        found = index.job_of(ev)
        if found is None:
            found = next((orphans[x] for x in (ev.get("scheduleId"), *labels_of(ev))
                          if x in orphans), None)
        return found

    by_message: dict[str, tuple[str, list[dict]]] = {}
    for ev in events:
        mid, job = ev.get("messageId"), job_of(ev)
        if mid and job is not None:
            by_message.setdefault(str(mid), (job, []))[1].append(ev)
    out = []
    for mid, (job, evs) in by_message.items():
        evs.sort(key=lambda e: (int(e.get("time") or 0), ORDER.get(e.get("state"), 9)))
        created = next((e for e in evs if e.get("state") == "CREATED"), evs[0])
        fired = int(created.get("createdAt") or created.get("time") or 0)
        if not since_ms <= fired <= until_ms:
            continue
        final = next((e for e in reversed(evs) if e.get("state") in OUTCOME), None)
        out.append(Observation(
            job=job, run_id=mid, slot_ms=None, started_ms=fired,
            ended_ms=int(final.get("time") or 0) if final else None,
            outcome=OUTCOME[final["state"]] if final else "running",
            started_by="schedule" if any(e.get("scheduleId") for e in evs) else "manual",
            source=SOURCE))
    return out


def liveness(jobs: list, live: list) -> dict[str, Liveness]:
    """From one listing of the schedules: created when, paused or not, still there or not."""
    by_id = {s.schedule_id: s for s in live}
    out = {}
    for job in jobs:
        spec = by_id.get(job.spec.schedule_id)
        if spec is None:
            out[job.name] = Liveness(
                job.name, None, present=False,
                drift=f"schedule {job.spec.schedule_id} is not on QStash (deleted behind "
                "cronctl's back, or never applied: 'cronctl schedule' creates it)")
            continue
        created = spec.extra.get("createdAt")
        created = int(created) if created else None
        out[job.name] = Liveness(
            job.name, created, paused=spec.paused, anchor_ms=created,
            drift=f"schedule {job.spec.schedule_id} is paused on QStash while the file says "
            "enabled ('cronctl schedule' resumes it)" if spec.paused else None)
    return out


def labels(jobs: list) -> list[str]:
    """The labels (schedule IDs) whose logs hold these jobs' runs, renamed ones' included."""
    return list(dict.fromkeys(label for j in jobs for label in history_labels(j)))
