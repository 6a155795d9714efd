"""Warnings for what a clock change does to a schedule, as robfig/cron really runs it.

For each change in the next year, the scheduled wall times of the day of the change and the day
after are checked: a run in the skipped hour does not happen, one in the repeated hour happens
twice. Around a change that is not whole hours at a whole hour (Lord Howe's 30 minutes, Chatham's
02:45) robfig's search has quirks of its own, so there the evaluator itself (`robfig.next_unix`)
runs the schedule over those two days and each wall time run zero times or twice, and each run
at a time the schedule does not name, is reported. Each kind is reported once. Schedules running
more than 24 times a day are not checked (a skipped or doubled run is then part of the rhythm),
nor hourly ones across whole-hour changes.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from . import robfig
from .describe import values
from .gotime import offset_at
from .problem import CronProblem

_DAY = 86400
_KINDS = ("skip", "twice", "miss", "extra")


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


def dst_warnings(spec: robfig.Spec, tz: ZoneInfo, provider: str,
                 start: datetime | None = None) -> list:
    if str(tz) == "UTC":
        return []
    minutes, hours = values(spec.minute, 0, 59), values(spec.hour, 0, 23)
    if len(minutes) * len(hours) > 24:
        return []
    start_day = int((start or datetime.now(UTC)).timestamp()) // _DAY
    found: dict[str, tuple[datetime, int]] = {}
    for instant, before, after in transitions(tz, start_day):
        delta = after - before
        if len(hours) == 24 and delta % 3600 == 0 and (instant + before) % 3600 == 0:
            continue
        exact = delta % 3600 == 0 and (instant + before) % 3600 == 0
        for kind, wall in _surprises(spec, tz, instant, minutes, hours, simulate=not exact):
            found.setdefault(kind, (wall, delta))
    return [_warning(kind, *found[kind], tz, provider) for kind in _KINDS if kind in found]


def _surprises(spec: robfig.Spec, tz: ZoneInfo, instant: int, minutes: list[int],
               hours: list[int], *, simulate: bool) -> list[tuple[str, datetime]]:
    first = datetime.fromtimestamp(instant, tz).date()
    days = (first, first + timedelta(days=1))
    expected = [datetime(d.year, d.month, d.day, h, m) for d in days if _day_ok(spec, d)
                for h in hours for m in minutes]
    if not simulate:
        # Whole hours at a whole hour: robfig runs each existing wall time at every instant it
        # names (the golden file shows no other effect), so the zone alone answers.
        return [("skip", w) for w in expected if not _exists(w, tz)] + \
            [("twice", w) for w in expected if _exists(w, tz) and _ambiguous(w, tz)]
    runs: Counter[datetime] = Counter()
    t: int | None = int(datetime(first.year, first.month, first.day, tzinfo=tz).timestamp()) - 7200
    while (t := robfig.next_unix(spec, t, tz)) is not None:
        wall = datetime.fromtimestamp(t, tz).replace(tzinfo=None, fold=0)
        if wall.date() > days[-1]:
            break
        if wall.date() in days:
            runs[wall] += 1
    out = []
    for wall in expected:
        if runs[wall] == 0:
            out.append(("skip" if not _exists(wall, tz) else "miss", wall))
        elif runs[wall] == 2:
            out.append(("twice", wall))
    out += [("extra", wall) for wall in sorted(runs) if wall not in expected]
    return out


def _day_ok(spec: robfig.Spec, d: date) -> bool:
    noon = datetime(d.year, d.month, d.day, 12)
    return bool(spec.month >> d.month & 1) and robfig.day_matches(spec, noon)


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    at = wall.replace(tzinfo=tz).timestamp()
    return datetime.fromtimestamp(at, tz).replace(tzinfo=None) == wall


def _ambiguous(wall: datetime, tz: ZoneInfo) -> bool:
    return wall.replace(tzinfo=tz).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()


def _fmt(seconds: int) -> str:
    h, m = divmod(abs(seconds) // 60, 60)
    return f"{h} hour{'s' if h > 1 else ''}" if not m else (f"{h}h{m:02d}" if h else f"{m} minutes")


def _warning(kind: str, wall: datetime, delta: int, tz: ZoneInfo, provider: str):

    at, day, change = f"{wall:%H:%M}", f"{wall:%Y-%m-%d}", _fmt(delta)
    message = {
        "skip": f"{at} does not exist in {tz} on {day} (clocks go forward {change}): "
                f"{provider} skips that run",
        "twice": f"{at} happens twice in {tz} on {day} (clocks go back {change}): "
                 f"{provider} runs it twice",
        "miss": f"{provider} does not run at {at} on {day} in {tz}: robfig/cron's search misses "
                f"it after that day's clock change ({change})",
        "extra": f"{provider} also runs at {at} on {day} in {tz}, a time the schedule does not "
                 f"name: robfig/cron's search goes wrong across that day's clock change ({change})",
    }[kind]
    hint = (f"{provider} follows robfig/cron here; if it matters, move the job away from the "
            "change or schedule it in UTC")
    return CronProblem(message, hint, severity="warning")
