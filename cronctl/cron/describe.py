"""Plain English for a parsed schedule (robfig bits, which every dialect compiles to)."""

from __future__ import annotations

from .robfig import DOM, DOW, HOURS, MINUTES, MONTHS, STAR, Every, Spec

_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def values(field: int, lo: int, hi: int) -> list[int]:
    return [i for i in range(lo, hi + 1) if field >> i & 1]


def _step(vals: list[int], lo: int, count: int) -> int | None:
    """N when `vals` is lo, lo+N, lo+2N ... to the end of the range (N > 1)."""
    if len(vals) < 2 or vals[0] != lo:
        return None
    n = vals[1] - vals[0]
    if vals == list(range(lo, lo + count, n)):
        return n
    return None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _spans(vals: list[int], name) -> str:
    """`[1, 2, 3, 4, 5]` -> "Monday to Friday"; runs of 3+ become "a to b"; an even step of 5+
    values becomes "1, 3, 5 ... 31"."""
    steps = {b - a for a, b in zip(vals, vals[1:], strict=False)}
    if len(vals) >= 5 and len(steps) == 1 and steps != {1}:
        return f"{name(vals[0])}, {name(vals[1])}, {name(vals[2])} ... {name(vals[-1])}"
    out, i = [], 0
    while i < len(vals):
        j = i
        while j + 1 < len(vals) and vals[j + 1] == vals[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{name(vals[i])} to {name(vals[j])}")
        else:
            out.extend(name(v) for v in vals[i:j + 1])
        i = j + 1
    return _join(out)


def _times(minutes: list[int], hours: list[int]) -> str:
    all_hours = len(hours) == 24
    if len(minutes) == 60 and all_hours:
        return "Every minute"
    m_step = _step(minutes, 0, 60)
    if m_step and 60 % m_step == 0 and all_hours:
        return f"Every {m_step} minutes"
    if len(minutes) == 60:
        return f"Every minute during hour(s) {_spans(hours, str)}"
    if len(minutes) == 1 and all_hours:
        return "Every hour" if minutes[0] == 0 else f"Every hour at minute {minutes[0]}"
    h_step = _step(hours, 0, 24)
    if len(minutes) == 1 and h_step and 24 % h_step == 0:
        return f"Every {h_step} hours" + (f" at minute {minutes[0]}" if minutes[0] else "")
    if all_hours:
        return f"At minute {_spans(minutes, str)} of every hour"
    if len(minutes) * len(hours) <= 6:
        return "At " + _join([f"{h:02d}:{m:02d}" for h in hours for m in minutes])
    return f"At minute(s) {_spans(minutes, str)} past hour(s) {_spans(hours, str)}"


def _days(spec: Spec) -> str:
    dom = values(spec.dom, DOM.min, DOM.max)
    dow = values(spec.dow, DOW.min, DOW.max)
    dom_text = f"on day {_spans(dom, str)} of the month"
    dow_text = f"on {_spans(dow, lambda d: _DAY_NAMES[d])}"
    if spec.dom & STAR or spec.dow & STAR:
        if len(dom) == 31 and len(dow) == 7:
            return "every day"
        if len(dow) == 7:
            return dom_text
        if len(dom) == 31:
            return dow_text
        return f"{dom_text}, if it is a {_spans(dow, lambda d: _DAY_NAMES[d])}"
    return f"{dom_text}, and {dow_text}"


def describe_spec(sched: Spec | Every) -> str:
    if isinstance(sched, Every):
        return f"Every {_duration(sched.seconds)}"
    times = _times(values(sched.minute, MINUTES.min, MINUTES.max),
                   values(sched.hour, HOURS.min, HOURS.max))
    days = _days(sched)
    plain = times.startswith("Every") or times.endswith("every hour")
    text = times if days == "every day" and plain else f"{times} {days}"
    months = values(sched.month, MONTHS.min, MONTHS.max)
    if len(months) < 12:
        text += f" in {_spans(months, lambda m: _MONTH_NAMES[m - 1])}"
    return text


def _duration(seconds: int) -> str:
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {unit}{'s' if n > 1 else ''}")
    return " ".join(parts)
