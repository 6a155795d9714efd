"""Warnings for runs in a DST gap or overlap hour (robfig skips the first, repeats the second)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from . import robfig
from .describe import values
from .robfig import offset_at

_DAY = 86400


@lru_cache(maxsize=256)
def transitions(tz: ZoneInfo, start_day: int, days: int = 366) -> tuple[tuple[int, int, int], ...]:
    """(instant, offset before, offset after) for each offset change in the window."""
    out = []
    t, end = start_day * _DAY, (start_day + days) * _DAY
    while t < end:
        first = offset_at(t, tz)
        if first != offset_at(t + _DAY, tz):
            lo, hi = t, t + _DAY
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset_at(mid, tz) == first else (lo, mid)
            out.append((hi, first, offset_at(hi, tz)))
        t += _DAY
    return tuple(out)


def _fmt(seconds: int) -> str:
    h, m = divmod(abs(seconds) // 60, 60)
    return f"{h} hour{'s' if h > 1 else ''}" if not m else (f"{h}h{m:02d}" if h else f"{m} minutes")


def dst_warnings(spec: robfig.Spec, tz: ZoneInfo, provider: str,
                 start: datetime | None = None) -> list:
    from .base import CronProblem

    if str(tz) == "UTC":
        return []
    start_day = int((start or datetime.now(UTC)).timestamp()) // _DAY
    all_hours = len(values(spec.hour, 0, 23)) == 24
    problems: list[CronProblem] = []
    seen: set[bool] = set()  # one warning per kind (gap, overlap) is enough
    for instant, before, after in transitions(tz, start_day):
        delta = after - before
        if delta == 0 or (all_hours and delta % 3600 == 0) or (delta > 0) in seen:
            continue
        wall = datetime.fromtimestamp(instant + before, UTC).replace(tzinfo=None)
        lo, hi = (wall, wall + timedelta(seconds=delta)) if delta > 0 else \
            (wall + timedelta(seconds=delta), wall)
        hit = _first_run(spec, lo, hi)
        if hit is None:
            continue
        seen.add(delta > 0)
        day = f"{hit:%Y-%m-%d}"
        if delta > 0:
            what = (f"{hit:%H:%M} does not exist in {tz} on {day} (clocks go forward "
                    f"{_fmt(delta)}): {provider} skips that run")
        else:
            what = (f"{hit:%H:%M} happens twice in {tz} on {day} (clocks go back "
                    f"{_fmt(delta)}): {provider} runs it twice")
        problems.append(CronProblem(
            what,
            f"{provider} follows robfig/cron here; if it matters, move the job out of "
            f"{lo:%H:%M}-{hi:%H:%M} local time or schedule it in UTC",
            severity="warning"))
    problems += _artefacts(spec, tz, provider, start_day)
    return problems


def _artefacts(spec: robfig.Spec, tz: ZoneInfo, provider: str, start_day: int) -> list:
    """Runs robfig adds or drops around a change compared with "every instant whose wall clock
    matches" (e.g. after Lord Howe's 30-minute change its minute loop crosses into the next hour
    without re-checking it). Found by running the evaluator over the two days around it."""
    from .base import CronProblem

    if len(values(spec.minute, 0, 59)) * len(values(spec.hour, 0, 23)) > 96:
        return []
    for instant, before, after in transitions(tz, start_day):
        if (after - before) % 3600 == 0:
            continue
        lo, hi = instant - _DAY - instant % 60, instant + _DAY
        ideal = {u for u in range(lo + 60, hi, 60) if _matches(spec, datetime.fromtimestamp(u, tz))}
        actual, t = set(), lo
        while (t := robfig.next_unix(spec, t, tz)) is not None and t < hi:
            actual.add(t)
        odd = sorted(actual ^ ideal)
        if odd:
            when = datetime.fromtimestamp(odd[0], tz)
            verb = "also fires" if odd[0] in actual else "does not fire"
            return [CronProblem(
                f"{provider} {verb} at {when:%H:%M} on {when:%Y-%m-%d} in {tz}: robfig/cron's "
                f"search goes wrong across that day's clock change ({_fmt(after - before)})",
                "a known robfig/cron quirk with half-hour changes; schedule it in UTC or away "
                "from the change if it matters",
                severity="warning")]
    return []


def _matches(spec: robfig.Spec, w: datetime) -> bool:
    return bool(spec.month >> w.month & 1 and robfig.day_matches(spec, w)
                and spec.hour >> w.hour & 1 and spec.minute >> w.minute & 1)


def _first_run(spec: robfig.Spec, lo: datetime, hi: datetime) -> datetime | None:
    w = lo
    while w < hi:
        if not (spec.hour >> w.hour & 1 and spec.month >> w.month & 1
                and robfig.day_matches(spec, w)):
            w = w.replace(minute=0) + timedelta(hours=1)  # nothing this hour
        elif spec.minute >> w.minute & 1:
            return w
        else:
            w += timedelta(minutes=1)
    return None
