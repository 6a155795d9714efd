"""Expected slots: when a job's provider should fire it in a window, and by when at the latest.

Pure: the dialect, the window and every time are arguments (unix ms); nothing here reads a
clock, a file or a network.

The times come from the job's own dialect (`cronctl.cron`): robfig/cron's evaluator for QStash,
Kubernetes and the runner, with its DST behaviour (a run in a skipped hour does not happen, one
in a repeated hour happens twice; each of those is its own slot, or no slot); Vercel's rules in
UTC (or the zone of a Vercel Schedule). A dialect with an hour window (Vercel Hobby: "some time
within that hour") makes each slot start at its hour and stretch `window_minutes - 1` minutes.

    scheduled_ms                       ok_until_ms               deadline_ms
    |--- window (Hobby: 59 min) ---|--- tolerance ---|--- grace ---|
    a run starting in here is ok ...................|.. late ......|  nothing by then: missed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..cron import Refused, robfig

MINUTE_MS = 60_000
MAX_SLOTS = 100_000  # per job and window: a */1 job over 60 days; more is refused by the caller
MEMO_SIZE = 512
_MEMO: dict[tuple, list[int]] = {}


@dataclass(frozen=True)
class Policy:
    """How late a job's runs may start, and how long they may run (all in ms).

    `tolerance_ms`: how late the provider may legitimately fire (a run inside it is ok): the
    target's default (`Observed.tolerance_for`), or `verify: {tolerance: ...}`.
    `grace_ms`: how much later still a run counts as late rather than missed (`verify: {grace}`).
    `max_runtime_ms`: a run started and not ended after this long is stuck (None: never)."""

    tolerance_ms: int
    grace_ms: int = 0
    max_runtime_ms: int | None = None

    def to_json(self) -> dict:
        return {"tolerance_s": self.tolerance_ms / 1000, "grace_s": self.grace_ms / 1000,
                "max_runtime_s": None if self.max_runtime_ms is None
                else self.max_runtime_ms / 1000}


@dataclass(frozen=True)
class Slot:
    """One expected run of a job: its scheduled time (a Hobby slot: the start of its hour), the
    end of its window, the latest start that is still ok, and the deadline (then: missed)."""

    job: str
    scheduled_ms: int
    window_end_ms: int  # == scheduled_ms unless the provider fires anywhere in an hour
    ok_until_ms: int
    deadline_ms: int

    def timeliness(self, started_ms: int) -> str:
        """"ok", "late" or "missed" for a run that started at `started_ms`."""
        if started_ms <= self.ok_until_ms:
            return "ok"
        return "late" if started_ms <= self.deadline_ms else "missed"


def expected_slots(job: str, dialect, schedule: str, timezone: str | None, *,
                   since_ms: int, until_ms: int, policy: Policy, anchor_ms: int = 0,
                   limit: int = MAX_SLOTS) -> list[Slot]:
    """The slots of `schedule` (in `dialect`, e.g. `cron.get_dialect("qstash")`) scheduled in
    [since_ms, until_ms], oldest first. An `@every` schedule counts from `anchor_ms` (the
    schedule's creation on QStash; the Unix epoch for the runner). Raises ValueError when the
    provider refuses the expression or the window holds more than `limit` slots."""
    window = max(0, getattr(dialect, "window_minutes", 0) - 1) * MINUTE_MS
    # Many jobs share a schedule (a project repeats a few): each one's times are computed once
    # per window (a deterministic memo: still no clock, no I/O).
    key = (type(dialect), getattr(dialect, "plan", None), getattr(dialect, "schedules", None),
           schedule, timezone, since_ms, until_ms, anchor_ms, limit)
    times = _MEMO.get(key)
    if times is None:
        try:
            sched, tz = dialect.compile(schedule, timezone)
        except Refused as exc:
            raise ValueError(f"{schedule!r}: {exc.problem.message}") from None
        times = _times(sched, tz, since_ms, until_ms, anchor_ms, limit, hourly=window > 0)
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = times
    return [_slot(job, t, window, policy) for t in times]


def _slot(job: str, scheduled: int, window: int, policy: Policy) -> Slot:
    end = scheduled + window
    ok_until = end + policy.tolerance_ms
    return Slot(job, scheduled, end, ok_until, ok_until + policy.grace_ms)


def _hour_start(ms: int, tz) -> int:
    """The start of the hour `ms` falls in, in the zone (a +05:30 zone's hours start at :30)."""
    wall = datetime.fromtimestamp(ms / 1000, tz)
    return ms - (wall.minute * 60 + wall.second) * 1000 - wall.microsecond // 1000


def _times(sched, tz, since_ms: int, until_ms: int, anchor_ms: int, limit: int, *,
           hourly: bool) -> list[int]:
    if until_ms < since_ms:
        return []
    if isinstance(sched, robfig.Every):
        period = sched.seconds * 1000
        k = max(0, -(-(since_ms - anchor_ms) // period))  # the first anchor + k*period >= since
        first = anchor_ms + k * period
        count = 0 if first > until_ms else (until_ms - first) // period + 1
        if count > limit:
            raise ValueError(f"more than {limit} runs in the window")
        return [first + i * period for i in range(count)]
    out: list[int] = []
    # robfig's Next is strictly after its argument: start one second before the window. A
    # Hobby slot starts at its hour, so a run scheduled later in the hour the window starts
    # in still belongs to a slot the window cuts into: it is dropped below with the others.
    t = since_ms / 1000 - 1
    while True:
        nxt = robfig.next_unix(sched, t, tz)
        if nxt is None or nxt * 1000 > until_ms:
            break
        at = nxt * 1000
        if hourly:
            at = _hour_start(at, tz)
        if at >= since_ms and (not out or out[-1] != at):
            out.append(at)
            if len(out) > limit:
                raise ValueError(f"more than {limit} runs in the window")
        t = nxt
    return out
