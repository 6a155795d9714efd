"""robfig/cron v3's `ParseStandard` and `SpecSchedule.Next`, rewritten from the Go source.

QStash and Kubernetes CronJobs both parse with github.com/robfig/cron/v3 (QStash's error text
"empty spec string" and its `CRON_TZ=` prefix are that library's; the Kubernetes controller calls
`cron.ParseStandard` and `sched.Next`). This module reproduces that library's answers, not a
"standard" cron: where robfig differs from Vixie cron or cronsim, robfig wins. The proof is the
differential test in tests/fidelity/robfig (a Go program over a corpus; golden file committed).

Parsing (parser.go, `Parse` with Minute|Hour|Dom|Month|Dow|Descriptor):

- `""` is refused ("empty spec string"). A spec starting exactly with `TZ=` or `CRON_TZ=` takes
  the zone up to the FIRST space (no space at all makes Go panic on a slice bound: refused), loads
  it with `time.LoadLocation` (`""` and `UTC` are UTC, `Local` is the server's zone, which we
  take to be UTC) and trims the rest with Go's Unicode-aware `TrimSpace`.
- Then a spec starting with `@` is a descriptor, compared byte for byte (no trimming, no case
  folding): @yearly @annually @monthly @weekly @daily @midnight @hourly, or `@every <duration>`
  in Go's `time.ParseDuration` grammar, rounded down to whole seconds, at least 1s.
- Otherwise it is split on Go's `unicode.IsSpace` (tabs, newlines, NBSP, NEL ... all separate
  fields) and must have exactly 5 fields; seconds are fixed at 0.
- A field is a comma list (empty items are dropped: `1,,2` and `,5` are accepted, `,` matches
  nothing); an item is `*`/`?` or `a[-b]`, optionally `/step`. `*` and `?` mean the whole range and
  set the "star bit" unless a step > 1 follows; `*-5` is read as `*` (the part after `-` is
  ignored); a single value with a step means value-max (`1/2` in day-of-week is 1,3,5 - never
  Sunday). Numbers are Go `strconv.Atoi` (optional `+`, leading zeros, int64 range); names (jan-
  dec, sun-sat, any case) only in month and day-of-week. Bounds: minute 0-59, hour 0-23, day-of-
  month 1-31, month 1-12, day-of-week 0-6 (so 7, `L`, `W`, `#` are refused). Steps larger than
  the range are accepted (`*/60` is minute 0 only); step 0 is refused.

Next (spec.go): start at the next whole second, in the schedule's zone; a year limit of the start
year + 5 (no run by then: none at all). Then, field by field (month, day, hour, minute, second):
while the field does not match, move forward (the first move also resets the smaller fields),
and start over from the month when a field wraps around. Days advance with `AddDate(0, 0, 1)` on
the wall clock and hours, minutes and seconds with absolute additions; that is what gives
robfig's DST behaviour, reproduced here by modelling Go's `time.Date` exactly (`gotime.go_date`:
it resolves a wall time by looking up the zone's offset at the wall time read as UTC, then once
more at the result):

- in a spring-forward gap the hour loop steps from 01:00 to 03:00 by absolute hours, so a run at
  02:30 is skipped that day (cronsim moves it to 03:00);
- in a fall-back overlap the absolute hours pass 01:00 twice, so a daily 01:30 runs twice;
- the minute loop never re-checks the hour, so a 30-minute shift (Australia/Lord_Howe) can carry
  it into the next hour: right after a daily 01:30 run on the spring-forward day, 01:59 +10:30 is
  followed by 02:30 +11:00, minute 30 matches, and robfig fires an extra run at 02:30; and the
  day loop's "hour != 0" correction assumes whole-hour offsets, so a daily 00:00 chained from the
  run before the change skips the next day (04-05 then 04-07 in 2026). Its behaviour, reproduced
  on purpose; `dst.py` turns these into warnings by running this evaluator.

Day rule: if day-of-month or day-of-week carries the star bit, both must match; otherwise either
(`0 0 */2 * 1`: every odd day of the month OR Mondays, because a step > 1 clears the star bit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .gotime import GO_SPACE, go_date, go_fields, parse_go_duration
from .zones import load_location

STAR = 1 << 63
_ATOI = re.compile(r"^[+-]?[0-9]+$")
_INT64_MAX = (1 << 63) - 1


class RobfigError(ValueError):
    """The parse error, with robfig's own wording."""


@dataclass(frozen=True)
class Bounds:
    name: str
    min: int
    max: int
    names: dict[str, int] | None = None


MINUTES = Bounds("minute", 0, 59)
HOURS = Bounds("hour", 0, 23)
DOM = Bounds("day-of-month", 1, 31)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTHS = Bounds("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTH_NAMES)})
DOW = Bounds("day-of-week", 0, 6, {d: i for i, d in enumerate(_DAY_NAMES)})
FIELDS = (MINUTES, HOURS, DOM, MONTHS, DOW)


@dataclass(frozen=True)
class Spec:
    """A parsed cron spec: one bit per allowed value (plus STAR), and the zone (None = Local)."""

    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: str | None = None


@dataclass(frozen=True)
class Every:
    """`@every <duration>`: a constant delay in whole seconds."""

    seconds: int
    location: str | None = None


def bits(lo: int, hi: int, step: int = 1) -> int:
    return sum(1 << i for i in range(lo, hi + 1, step))


def _all(b: Bounds) -> int:
    return bits(b.min, b.max) | STAR


_DESCRIPTORS = {
    "@yearly": (1, 1, 1 << 1, 1 << 1, _all(DOW)),
    "@annually": (1, 1, 1 << 1, 1 << 1, _all(DOW)),
    "@monthly": (1, 1, 1 << 1, _all(MONTHS), _all(DOW)),
    "@weekly": (1, 1, _all(DOM), _all(MONTHS), 1),
    "@daily": (1, 1, _all(DOM), _all(MONTHS), _all(DOW)),
    "@midnight": (1, 1, _all(DOM), _all(MONTHS), _all(DOW)),
    "@hourly": (1, _all(HOURS), _all(DOM), _all(MONTHS), _all(DOW)),
}


def split_zone_prefix(spec: str) -> tuple[str | None, str]:
    """(zone name or None, the rest) as robfig reads a `TZ=`/`CRON_TZ=` prefix; raises on none."""
    if not (spec.startswith("TZ=") or spec.startswith("CRON_TZ=")):
        return None, spec
    i = spec.find(" ")
    if i < 0:
        raise RobfigError("a TZ=/CRON_TZ= prefix must be followed by a space and the schedule "
                          "(robfig/cron panics without one)")
    eq = spec.find("=")
    return spec[eq + 1:i], spec[i:].strip(GO_SPACE)


def parse(spec: str) -> Spec | Every:
    """robfig's ParseStandard: a Spec/Every, or RobfigError with robfig's message."""
    if not spec:
        raise RobfigError("empty spec string")
    name, spec = split_zone_prefix(spec)
    if name is not None:
        try:
            load_location(name)
        except ValueError as exc:
            raise RobfigError(f"provided bad location {name}: {exc}") from None
    if spec.startswith("@"):
        return _descriptor(spec, name)
    fields = go_fields(spec)
    if len(fields) != 5:
        raise RobfigError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    values = [get_field(f, b) for f, b in zip(fields, FIELDS, strict=True)]
    return Spec(*values, location=name)


def _descriptor(spec: str, location: str | None) -> Spec | Every:
    if spec in _DESCRIPTORS:
        return Spec(*_DESCRIPTORS[spec], location=location)
    if spec.startswith("@every "):
        try:
            nanos = parse_go_duration(spec[len("@every "):])
        except ValueError as exc:
            raise RobfigError(f"failed to parse duration {spec}: {exc}") from None
        nanos = max(nanos, 10**9)
        return Every(nanos // 10**9, location)
    raise RobfigError(f"unrecognized descriptor: {spec}")


def get_field(field: str, b: Bounds) -> int:
    out = 0
    for item in (p for p in field.split(",") if p):
        out |= get_range(item, b)
    return out


def get_range(expr: str, b: Bounds) -> int:
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    single = len(low_high) == 1
    extra = 0
    if low_high[0] in ("*", "?"):
        start, end, extra = b.min, b.max, STAR
    else:
        start = _int_or_name(low_high[0], b.names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _int_or_name(low_high[1], b.names)
        else:
            raise RobfigError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:
            end = b.max
        if step > 1:
            extra = 0
    else:
        raise RobfigError(f"too many slashes: {expr}")
    if start < b.min:
        raise RobfigError(f"beginning of range ({start}) below minimum ({b.min}): {expr}")
    if end > b.max:
        raise RobfigError(f"end of range ({end}) above maximum ({b.max}): {expr}")
    if start > end:
        raise RobfigError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise RobfigError(f"step of range should be a positive number: {expr}")
    return bits(start, end, step) | extra


def _int_or_name(expr: str, names: dict[str, int] | None) -> int:
    if names is not None and expr.lower() in names:
        return names[expr.lower()]
    return _atoi(expr)


def _atoi(expr: str) -> int:
    if not _ATOI.match(expr) or abs(int(expr)) > _INT64_MAX + (expr.startswith("-")):
        raise RobfigError(f"failed to parse int from {expr}: strconv.Atoi: parsing {expr!r}: "
                          "invalid syntax")
    num = int(expr)
    if num < 0:
        raise RobfigError(f"negative number ({num}) not allowed: {expr}")
    return num


# -- Next ---------------------------------------------------------------------------------------


def _wall(t: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(t, tz)


def _weekday(w: datetime) -> int:
    return (w.weekday() + 1) % 7  # Go: Sunday is 0


def day_matches(spec: Spec, w: datetime) -> bool:
    dom = bool(spec.dom >> w.day & 1)
    dow = bool(spec.dow >> _weekday(w) & 1)
    if spec.dom & STAR or spec.dow & STAR:
        return dom and dow
    return dom or dow


def _never(spec: Spec) -> bool:
    """Shortcut for fields that match nothing (`,`): robfig would search 5 years and give up."""
    low = ~STAR
    if not (spec.minute & low and spec.hour & low and spec.month & low):
        return True
    if spec.dom & STAR or spec.dow & STAR:
        return not (spec.dom & low and spec.dow & low)
    return not (spec.dom & low or spec.dow & low)


def next_unix(sched: Spec | Every, after: float, tz: ZoneInfo) -> int | None:
    """Next(t): the first run strictly after `after` (unix seconds), or None (robfig's zero)."""
    t = int(after // 1) + 1
    if isinstance(sched, Every):
        return t - 1 + sched.seconds
    if _never(sched):
        return None
    added = False
    year_limit = _wall(t, tz).year + 5
    while True:  # WRAP
        w = _wall(t, tz)
        if w.year > year_limit:
            return None
        wrapped = False
        while not sched.month >> w.month & 1:
            if not added:
                added = True
                w = _wall(go_date(w.year, w.month, 1, 0, 0, 0, tz), tz)
            t = go_date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, tz)
            w = _wall(t, tz)
            if w.month == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not day_matches(sched, w):
            if not added:
                added = True
                w = _wall(go_date(w.year, w.month, w.day, 0, 0, 0, tz), tz)
            t = go_date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, tz)
            w = _wall(t, tz)
            if w.hour != 0:
                t += (24 - w.hour) * 3600 if w.hour > 12 else -w.hour * 3600
                w = _wall(t, tz)
            if w.day == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not sched.hour >> w.hour & 1:
            if not added:
                added = True
                t = go_date(w.year, w.month, w.day, w.hour, 0, 0, tz)
            t += 3600
            w = _wall(t, tz)
            if w.hour == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while not sched.minute >> w.minute & 1:
            if not added:
                added = True
                t -= t % 60
            t += 60
            w = _wall(t, tz)
            if w.minute == 0:
                wrapped = True
                break
        if wrapped:
            continue
        if w.second != 0:  # seconds are fixed at 0 by ParseStandard
            if not added:
                added = True
            t += 60 - w.second
            continue  # the second wrapped to 0: robfig goes back to WRAP
        return t
