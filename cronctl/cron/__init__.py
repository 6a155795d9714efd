"""Each provider's own cron: what it accepts, when it really fires, and what it says in words.

    from cronctl import cron
    d = cron.get_dialect("qstash")              # or "kubernetes", "vercel" (plan="hobby")
    d.validate("0 0 */2 * 1", "Europe/Berlin")  # [CronProblem(..., severity="warning")]
    d.next_runs("30 2 * * *", "America/New_York", 5)
    d.describe("0 9 * * 1-5")                   # "At 09:00 on Monday to Friday"

Modules: `robfig` (robfig/cron v3's parser and Next, which QStash and Kubernetes use), `vercel`
(Vercel's rules, proven against Vercel's own validators), `robfig_dialect` (the QStash and
Kubernetes dialects), `base` (what every dialect answers), `describe` (plain English), `dst`
(gap/overlap warnings), `gotime` (the Go standard library behaviours robfig relies on), `zones`.
A job's dialect is picked in one place, `cronctl.targets.dialect_of` (its target's plugin).
Nothing else in cronctl parses cron. Every dialect reads ASCII digits only and declares the
characters its provider splits fields on (`Dialect.separators`; tests/cron/test_unicode.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from .base import CronProblem, Dialect, Refused
from .robfig_dialect import KubernetesDialect, QStashDialect
from .vercel import VercelDialect
from .zones import is_valid_zone, zone

__all__ = [
    "ASCII_SPACE", "CronProblem", "Dialect", "Refused", "get_dialect", "is_valid_zone",
    "join_tz", "split_tz", "trim", "zone",
]

_DIALECTS = {"qstash": QStashDialect, "kubernetes": KubernetesDialect, "vercel": VercelDialect}


def get_dialect(name: str, *, plan: str = "pro", output: str = "crons") -> Dialect:
    """The dialect of a provider: "qstash", "kubernetes" or "vercel" (`plan` is Vercel's;
    `output` "schedules" is Vercel Schedules, which take a zone)."""
    try:
        cls = _DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown cron dialect {name!r} (one of {', '.join(_DIALECTS)})") from None
    if cls is VercelDialect:
        return VercelDialect(plan, schedules=output == "schedules")
    return cls()


# ASCII whitespace only: a Unicode space is the dialect's to judge (robfig splits on it, Vercel
# refuses it), never silently dropped here.
ASCII_SPACE = " \t\n\r\f\v"
_TZ_PREFIX = re.compile(r"^\s*(?:CRON_TZ|TZ)=(\S+)\s+(.*)$", re.ASCII | re.DOTALL)


def trim(expr: str) -> str:
    """A schedule as written to the provider: ASCII whitespace around it removed."""
    return expr.strip(ASCII_SPACE)


def split_tz(expr: str) -> tuple[str | None, str]:
    """`"CRON_TZ=Europe/Lisbon 0 9 * * *"` -> `("Europe/Lisbon", "0 9 * * *")`."""
    m = _TZ_PREFIX.match(expr)
    if m:
        return m.group(1), trim(m.group(2))
    return None, trim(expr)


def join_tz(expr: str, tz: str | None) -> str:
    """The QStash form: a `CRON_TZ=` prefix unless the zone is UTC."""
    if tz and tz != "UTC":
        return f"CRON_TZ={tz} {expr}"
    return expr


# -- the QStash shortcuts older callers use (cronctl dev, the QStash spec) ----------------------


def check_qstash(expr: str, tz: str | None = None) -> list[CronProblem]:
    """Errors only: what QStash refuses, or a schedule that never fires."""
    return [p for p in get_dialect("qstash").validate(expr, tz) if p.severity == "error"]


def check_vercel(expr: str, plan: str = "pro") -> list[CronProblem]:
    return [p for p in get_dialect("vercel", plan=plan).validate(expr) if p.severity == "error"]


def next_after(expr: str, after: datetime, tz: str | None = None) -> datetime | None:
    return get_dialect("qstash").next_after(expr, after, tz)


def next_runs(expr: str, tz: str | None = None, n: int = 5, after: datetime | None = None):
    return get_dialect("qstash").next_runs(expr, tz, n, after=after)


def fires(expr: str, tz: str | None = None) -> bool:
    """True when QStash would run it at least once (robfig searches five years ahead)."""
    return bool(next_runs(expr, tz, 1))


def explain(expr: str) -> str:
    return get_dialect("qstash").describe(expr)
