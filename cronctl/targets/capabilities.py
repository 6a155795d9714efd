"""What some targets can do beyond planning and applying: pause, trigger, read run history,
keep dead letters, report delivery statistics, import existing schedules.

A target has a capability by inheriting its class (`class QStashTarget(Pausable, ..., Target)`)
and implementing its methods. A command asks for one with `capable(target, Pausable, job)`;
a target without it is answered in one place, `Target.lacks()`: "cronctl cannot pause or
resume Vercel jobs", with the target's own way to do it instead as the hint (`instead()`).
The methods keep their names on `Target` too, where they answer the same refusal, so code that
calls `target.runs(...)` directly still gets the plain message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, TypeVar


class Capability:
    """Something some targets can do. `does` completes "cronctl cannot ..." ({} is the
    target's title)."""

    does: ClassVar[str] = "do that for {} jobs"
    hint: ClassVar[str | None] = None  # when the target has nothing better to suggest


class Pausable(Capability):
    does = "pause or resume {} jobs"
    hint = "set enabled: false (or true) in schedules.yaml and run 'cronctl schedule'"

    def pause(self, job, *, paused: bool) -> None:
        raise NotImplementedError


class Triggerable(Capability):
    does = "run {} jobs now"

    def can_trigger(self, job) -> None:
        """Raise (before anyone is asked to confirm) when this job cannot be run now."""

    def trigger(self, job):
        """Run it now: a TriggerResult."""
        raise NotImplementedError

    def trigger_summary(self, job) -> str:
        """What `trigger` will call, for its prompt."""
        return f"run {job.name} now"

    def wait(self, job, result, *, timeout: float):
        """The outcome of a triggered run (a Run); None when the trigger itself was it."""
        return None


class RunHistory(Capability):
    does = "read the past runs of {} jobs"

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list:
        """`cronctl logs`: the runs (targets.base.Run) of these jobs, newest first."""
        raise NotImplementedError


class DeadLetters(Capability):
    does = "list or retry dead letters of {} jobs"
    hint = "only a target with a dead-letter queue (QStash) keeps them"

    def dead_letters(self, jobs: list) -> list:
        raise NotImplementedError

    def retry_dead(self, letters: list) -> list[str]:
        """Deliver these again; returns the new run IDs."""
        raise NotImplementedError

    def delete_dead(self, letters: list) -> int:
        raise NotImplementedError


class Stats(Capability):
    """`cronctl stats`: delivery statistics per job (success rate, failures in a row,
    latency), and `probe`'s delivery health."""

    does = "read delivery statistics of {} jobs"
    retention: ClassVar[timedelta | None] = None  # how far back the service keeps events

    def stats_jobs(self, job=None) -> list:
        """The jobs `stats` reports on (one, or every one the target runs)."""
        raise NotImplementedError

    def stats(self, jobs: list, from_ms: int, on_job) -> tuple[list, int]:
        """(one statistics row per job: job, runs, delivered, failed, success_rate,
        consecutive_failures, dlq, ... with to_json(); the requests it took)."""
        raise NotImplementedError


@dataclass
class Imported:
    """`cronctl import`: schedules.yaml entries for what exists today."""

    jobs: dict[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    skipped: list[str] = field(default_factory=list)  # one line each: what and why


class Importable(Capability):
    does = "import existing {} schedules"

    def import_jobs(self, source: str | None, taken: set[str], project: str) -> Imported:
        """Entries for the schedules at `source` (a file, or None: the live service); names
        already in `taken` are not reused (and new ones are added to it)."""
        raise NotImplementedError


C = TypeVar("C", bound=Capability)


def capable(target: Any, capability: type[C], job: Any = None) -> C:
    """`target` as one that has `capability`, or the one refusal (exit 2)."""
    if isinstance(target, capability):
        return target
    raise target.lacks(capability, job)


# --- issue 28: did every run happen? -------------------------------------------------------------

@dataclass(frozen=True)
class Observation:
    """One run of a job as a target saw it, for `cronctl verify` to match against expected slots
    (cronctl/verify/match.py).

    `slot_ms` is the scheduled time the run was for, when the source says so (the runner's
    ledger, a failover); None when only the start is known (QStash's logs, `cronctl exec`, a
    check-in), and the matcher then takes the latest slot at or before `started_ms`. Two
    observations of one job with the same `run_id` are one run."""

    job: str  # the job's name in the file (or the live name of a job not in the file: drift)
    run_id: str | None
    slot_ms: int | None
    started_ms: int | None
    ended_ms: int | None  # None while it runs (or when the source never says)
    outcome: str  # "ok" | "failed" | "running" | "skipped" (the provider recorded not running it)
    started_by: str = "schedule"  # schedule | manual | failover | check-in | exec
    source: str = ""  # where it was read, for a person: "QStash logs", "runner ledger", ...

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Liveness:
    """Since when a job is expected to fire on its target, whether it still can, and whether
    cronctl can see its runs at all.

    A job expects nothing before `since_ms` (the schedule's creation, the deploy of a file). A
    schedule that is not `present` or is `paused` live while the file says enabled is drift:
    its slots count as missed, and `drift` names it. `unobservable` says why its runs cannot be
    seen (no readable history and no check-ins): its slots are then "unobserved", not missed.
    `anchor_ms`: where an `@every` schedule counts from (QStash: the schedule's creation); None
    is the Unix epoch (the runner's rule)."""

    job: str
    since_ms: int | None  # None: unknown (then the verify window alone bounds the slots)
    present: bool = True
    paused: bool = False
    drift: str | None = None  # "deleted behind cronctl's back", "paused by hand", ...
    unobservable: str | None = None
    anchor_ms: int | None = None


class Observed(Capability):
    """`cronctl verify` and the runner's watch: the runs a target observed, by slot.

    The service (cronctl/verification.py) asks `liveness` and `observed` once per target for
    all its jobs, and each job's `tolerance_for` and `max_runtime_for` unless the file's
    `verify:` (the job's, else the target settings') says otherwise."""

    does = "observe the runs of {} jobs"
    hint = "send check-ins to the runner's ping endpoint (see the verify docs)"
    tolerance: ClassVar[timedelta] = timedelta(seconds=60)  # how late the provider may fire
    # How far back its runs can be read (QStash's log retention); older slots are not judged.
    retention: ClassVar[timedelta | None] = None

    def tolerance_for(self, job) -> timedelta:
        """How late this job's provider may legitimately fire one of its slots (after the
        dialect's own window: Vercel Hobby's hour is counted apart)."""
        return self.tolerance

    def max_runtime_for(self, job) -> timedelta | None:
        """How long a run may go on before it is stuck (None: no limit known)."""
        return None

    def liveness(self, jobs: list) -> dict[str, Liveness]:
        """For each job, since when it is live and whether it still is (one read, batched)."""
        raise NotImplementedError

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        """(the Observations of these jobs started or scheduled in the window, runs of live
        items no job of the file owns included; the requests it took)."""
        raise NotImplementedError
