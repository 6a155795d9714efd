"""Jinja filters: times, durations and rates as the pages show them. Every value a page shows
passes the secret scrubber (`redact`) on top of Jinja's HTML escaping."""

from __future__ import annotations

from typing import Any

from ..output import redact


def when(iso: str | None) -> str:
    """An ISO time as `2026-01-05 08:00:00` (UTC, as the CLI shows it)."""
    if not iso:
        return "-"
    return iso[:19].replace("T", " ")


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


FILTERS = {"when": when, "ms": ms, "pct": pct, "scrub": scrub, "window": window}
