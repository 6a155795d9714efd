"""Expected slots against observed runs: a state for every slot. Pure: "now" is an argument.

    evaluate(expectations, observations, now_ms=..., since_ms=...) -> Report

A run (`Observation`) belongs to a slot by its scheduled time when the source knows it
(`slot_ms`: the runner's ledger, a failover), else by when it started: the latest slot scheduled
at or before its start (a couple of seconds of clock skew allowed). Runs started by hand
(`started_by` "manual") fulfil no slot; they are counted apart. Two observations with the same
run ID are one run (a provider's log and a check-in of the same delivery).

States (STATES, in the order they are shown):

    ok         a run started inside the window and tolerance and did not fail
    late       it started after the tolerance, inside the grace
    missed     nothing started by the deadline (or only after it; or the provider skipped it)
    failed     the run failed (its last attempt)
    duplicate  two or more runs for one slot
    stuck      started, and not ended past max_runtime
    pending    due, but its deadline has not passed and nothing is observed yet
    unobserved the target cannot see this job's runs (no history, no check-ins): not judged

and `unexpected`: a run at no slot, of a job the file pauses, or of a job not in the file.
PROBLEMS (missed, failed, duplicate, stuck) make `cronctl verify` exit 1.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .slots import Policy, Slot

STATES = ("ok", "late", "missed", "failed", "duplicate", "stuck", "pending", "unobserved")
PROBLEMS = ("missed", "failed", "duplicate", "stuck")
SKEW_MS = 2_000  # a run may be seen to start this much before its slot (clocks differ)


@dataclass(frozen=True)
class Expectation:
    """One job of the file on its target, as the matcher needs it (the service builds these).

    `slots` are its expected slots in the window and the reach before it (the service computes
    them with `expected_slots`); `enabled` False (the file pauses it): it expects nothing.
    `drift`: the live schedule is deleted or paused while the file says enabled (then its slots
    are missed, with the drift named). `unobservable`: why its runs cannot be seen, if so."""

    job: str
    target: str
    slots: tuple[Slot, ...]
    policy: Policy
    enabled: bool = True
    since_ms: int | None = None  # live since (slots before it are not expected)
    drift: str | None = None
    unobservable: str | None = None
    schedule: str = ""
    timezone: str = "UTC"
    judged_from_ms: int | None = None  # slots before it are not judged (the source forgot them)
    note: str | None = None  # for a person: why, e.g. the provider's log retention


@dataclass
class SlotState:
    slot: Slot
    state: str
    runs: tuple[Any, ...] = ()  # Observations
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"scheduled": iso(self.slot.scheduled_ms), "deadline": iso(self.slot.deadline_ms),
                "state": self.state, "run_ids": [r.run_id for r in self.runs],
                "note": self.note}


@dataclass
class JobReport:
    job: str
    target: str
    policy: Policy
    slots: list[SlotState] = field(default_factory=list)
    unexpected: list[Any] = field(default_factory=list)  # Observations at no slot
    manual: int = 0
    drift: str | None = None
    unobservable: str | None = None
    enabled: bool = True
    schedule: str = ""
    timezone: str = "UTC"
    note: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(s.state for s in self.slots)
        return {state: found.get(state, 0) for state in STATES}

    @property
    def problems(self) -> list[SlotState]:
        return [s for s in self.slots if s.state in PROBLEMS]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job, "target": self.target, "schedule": self.schedule,
                "timezone": self.timezone, "enabled": self.enabled,
                "expected": len(self.slots), "counts": self.counts, "manual": self.manual,
                "drift": self.drift, "unobservable": self.unobservable, "note": self.note,
                "policy": self.policy.to_json(),
                "problems": [s.to_json() for s in self.slots
                             if s.state not in ("ok", "pending", "unobserved")],
                "unexpected": [_obs_json(o) for o in self.unexpected]}


@dataclass
class Report:
    since_ms: int
    now_ms: int
    jobs: list[JobReport]
    unexpected: list[Any] = field(default_factory=list)  # runs of jobs not in the file

    @property
    def ok(self) -> bool:
        return all(j.ok for j in self.jobs)

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for j in self.jobs:
            total.update(j.counts)
        return {state: total.get(state, 0) for state in STATES}

    def to_json(self) -> dict[str, Any]:
        return {"since": iso(self.since_ms), "now": iso(self.now_ms), "ok": self.ok,
                "counts": self.counts,
                "unexpected": sum(len(j.unexpected) for j in self.jobs) + len(self.unexpected),
                "jobs": [j.to_json() for j in self.jobs],
                "unknown_jobs": [_obs_json(o) for o in self.unexpected]}


def evaluate(expectations: Iterable[Expectation], observations: Iterable[Any], *,
             now_ms: int, since_ms: int) -> Report:
    """A state for every slot scheduled in [since_ms, now_ms] of every expectation."""
    by_job: dict[str, list[Any]] = {}
    for obs in _one_per_run(observations):
        by_job.setdefault(obs.job, []).append(obs)
    jobs = []
    for exp in expectations:
        jobs.append(_judge(exp, by_job.pop(exp.job, []), now_ms=now_ms, since_ms=since_ms))
    strays = [o for runs in by_job.values() for o in runs
              if o.started_by != "manual" and _at(o) is not None and _at(o) >= since_ms]
    strays.sort(key=lambda o: (_at(o) or 0, o.job))
    return Report(since_ms, now_ms, jobs, strays)


def _judge(exp: Expectation, runs: list[Any], *, now_ms: int, since_ms: int) -> JobReport:
    report = JobReport(exp.job, exp.target, exp.policy, drift=exp.drift,
                       unobservable=exp.unobservable, enabled=exp.enabled,
                       schedule=exp.schedule, timezone=exp.timezone, note=exp.note)
    since_ms = max(since_ms, exp.judged_from_ms or since_ms)
    live_from = max(since_ms, exp.since_ms or since_ms)
    # Slots a little after now may be given too: a run the source's clock (ahead of ours)
    # already saw for the next slot belongs to that slot, not as a duplicate to this one.
    slots = list(exp.slots) if exp.enabled else []
    starts = [s.scheduled_ms for s in slots]
    matched: dict[int, list[Any]] = {}
    for obs in sorted(runs, key=lambda o: (_at(o) or 0, o.run_id or "")):
        if obs.started_by == "manual":
            report.manual += 1
            continue
        at = _at(obs)
        if at is None:
            continue
        i = _slot_of(obs, at, slots, starts)
        if i is None:
            if at >= live_from:  # before the window (or before it was live): not ours to judge
                report.unexpected.append(obs)
            continue
        matched.setdefault(i, []).append(obs)
    for i, slot in enumerate(slots):
        if slot.scheduled_ms > now_ms:
            break  # not due yet: not judged (its early run, if any, is not a stranger)
        if slot.scheduled_ms < since_ms or (exp.since_ms is not None
                                            and slot.scheduled_ms <= exp.since_ms):
            # Before the window, or not after the job went live (a schedule fires strictly
            # after its creation): matched, so its run is not unexpected, but not judged.
            continue
        report.slots.append(_state(exp, slot, matched.get(i, []), now_ms))
    return report


def _slot_of(obs: Any, at: int, slots: list[Slot], starts: list[int]) -> int | None:
    """The index of the slot this run belongs to, or None (a run at no slot)."""
    skew = 0 if obs.slot_ms is not None else SKEW_MS
    i = bisect.bisect_right(starts, at + skew) - 1
    if i < 0:
        return None
    if obs.slot_ms is not None and obs.slot_ms > slots[i].window_end_ms:
        return None  # the source names a time the schedule does not
    return i


def _state(exp: Expectation, slot: Slot, runs: list[Any], now_ms: int) -> SlotState:
    if not runs:
        if exp.unobservable:
            return SlotState(slot, "unobserved", note=exp.unobservable)
        if now_ms <= slot.deadline_ms:
            return SlotState(slot, "pending", note=exp.drift)
        return SlotState(slot, "missed", note=exp.drift)
    if len(runs) > 1:
        return SlotState(slot, "duplicate", tuple(runs),
                         f"{len(runs)} runs for one slot")
    run = runs[0]
    if run.outcome == "skipped":
        return SlotState(slot, "missed", (run,), "the provider recorded it as not run")
    if run.outcome == "failed":
        return SlotState(slot, "failed", (run,))
    started = run.started_ms if run.started_ms is not None else run.slot_ms
    if run.outcome == "running" and exp.policy.max_runtime_ms is not None \
            and started is not None and now_ms - started > exp.policy.max_runtime_ms:
        return SlotState(slot, "stuck", (run,),
                         f"running for {_span(now_ms - started)}, past max_runtime "
                         f"{_span(exp.policy.max_runtime_ms)}")
    when = slot.timeliness(started if started is not None else slot.scheduled_ms)
    note = None
    if when != "ok":
        note = f"started {_span(started - slot.window_end_ms)} after its slot"
    if run.outcome == "running":
        note = "still running" if note is None else f"{note}; still running"
    return SlotState(slot, when, (run,), note)


def _one_per_run(observations: Iterable[Any]) -> list[Any]:
    """One observation per (job, run ID): the one that knows the most (ended, then started)."""
    best: dict[tuple[str, str], Any] = {}
    out = []
    for obs in observations:
        if not obs.run_id:
            out.append(obs)
            continue
        key = (obs.job, obs.run_id)
        old = best.get(key)
        if old is None or _knows(obs) > _knows(old):
            best[key] = obs
    return out + list(best.values())


def _knows(obs: Any) -> tuple[int, int, int]:
    return (obs.outcome != "running", obs.ended_ms is not None, obs.slot_ms is not None)


def _at(obs: Any) -> int | None:
    """The time a run is matched by: its scheduled time if known, else its start."""
    return obs.slot_ms if obs.slot_ms is not None else obs.started_ms


def _span(ms: int) -> str:
    s = max(0, ms) // 1000
    if s < 120:
        return f"{s}s"
    m = s // 60
    return f"{m}m" if m < 120 else f"{m // 60}h{m % 60:02d}m"


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")


def _obs_json(obs: Any) -> dict[str, Any]:
    return {"job": obs.job, "run_id": obs.run_id, "slot": iso(obs.slot_ms),
            "started": iso(obs.started_ms), "outcome": obs.outcome,
            "started_by": obs.started_by, "source": obs.source}
