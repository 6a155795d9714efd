"""Jinja filters: times, durations and rates as the pages show them. Every value a page shows
passes the secret scrubber (`redact`) on top of Jinja's HTML escaping."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from ..output import redact
from ..targets.base import RUN_STATES
from ..words import count

BAR = 6  # px per run in a sparkline


def when(iso: str | None) -> str:
    """An ISO time as `2026-01-05 08:00:00` (UTC, as the CLI shows it)."""
    if not iso:
        return "-"
    return iso[:19].replace("T", " ")


def ago(iso: str | None, now: str | None) -> str:
    """An ISO time relative to `now` (the clock the page was read by): "in 12 min",
    "3 min ago", "in 2 h", "5 days ago"; "just now" within 45 s."""
    if not iso:
        return "-"
    if not now:
        return when(iso)
    try:
        delta = (datetime.fromisoformat(iso) - datetime.fromisoformat(now)).total_seconds()
    except (ValueError, TypeError):  # not a time, or one without a zone
        return when(iso)
    size = abs(delta)
    if size < 45:
        return "just now"
    if size < 90 * 60:
        text = f"{max(1, round(size / 60))} min"
    elif size < 36 * 3600:
        text = f"{round(size / 3600)} h"
    else:
        text = count(round(size / 86400), "day")
    return f"in {text}" if delta > 0 else f"{text} ago"


def ms(value: Any) -> str:
    if value is None:
        return "-"
    value = float(value)
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f} ms"


def pct(value: Any) -> str:
    return "-" if value is None else f"{float(value):.0%}" if value in (0, 1) \
        else f"{float(value):.1%}"


def scrub(value: Any) -> str:
    return "" if value is None else redact(str(value))


def window(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and (unit != "d" or seconds > 2 * 86400):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def spark(states: list[str]) -> Markup:
    """The runs (oldest first) as one small SVG: a bar per run, tall and red when it failed;
    one path per state, so 1,000 rows stay light."""
    return _spark(tuple(states))


@lru_cache(maxsize=4096)
def _spark(states: tuple[str, ...]) -> Markup:
    # Built from fixed words only: a state that is not a run state (whatever a target or a
    # ledger row says) is drawn as "unknown", and every number is ours.
    paths: dict[str, list[str]] = {}
    for i, state in enumerate(states):
        known = state if state in RUN_STATES else "unknown"
        top, height = (2, 14) if known == "failed" else (6, 10)
        paths.setdefault(known, []).append(f"M{i * BAR} {top}h4v{height}h-4z")
    ok = sum(1 for s in states if s == "delivered")
    bad = sum(1 for s in states if s == "failed")
    body = Markup("").join(Markup('<path class="s-{}" d="{}"/>').format(state, "".join(d))
                           for state, d in paths.items())
    width = BAR * len(states)
    return Markup('<svg class="spark" width="{w}" height="16" viewBox="0 0 {w} 16" role="img" '
                  'aria-label="last {n} runs: {ok} delivered, {bad} failed">{body}</svg>'
                  ).format(w=width, n=len(states), ok=ok, bad=bad, body=body)


FILTERS = {"spark": spark, "when": when, "ago": ago, "ms": ms, "pct": pct, "scrub": scrub,
           "window": window, "count": lambda n, noun: count(int(n), noun)}
