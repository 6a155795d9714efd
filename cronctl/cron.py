"""The one cron evaluator (cronsim), and each provider's own rules on top of it.

Used for validation (both tiers), next runs, plain-English descriptions, and by `cronctl dev`
to fire schedules. Nothing else in cronctl parses cron expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

_TZ_PREFIX = re.compile(r"^\s*(?:CRON_TZ|TZ)=(\S+)\s+(.*)$")
_NAMES = re.compile(r"[A-Za-z]")
_SPECIAL = re.compile(r"[LW#?]")
_NUMERIC_FIELD = re.compile(r"^[0-9*,/\-]+$")


@dataclass(frozen=True)
class CronProblem:
    message: str
    hint: str


def split_tz(expr: str) -> tuple[str | None, str]:
    """`"CRON_TZ=Europe/Lisbon 0 9 * * *"` -> `("Europe/Lisbon", "0 9 * * *")`."""
    m = _TZ_PREFIX.match(expr)
    if m:
        return m.group(1), m.group(2).strip()
    return None, expr.strip()


def join_tz(expr: str, tz: str | None) -> str:
    """The QStash form: a `CRON_TZ=` prefix unless the zone is UTC."""
    if tz and tz != "UTC":
        return f"CRON_TZ={tz} {expr}"
    return expr


@lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo:
    if not name or name == "UTC":
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def _parse(expr: str) -> CronSim:
    # The start is irrelevant for parsing; cronsim validates every field in its constructor.
    return CronSim(expr, datetime(2000, 1, 1, tzinfo=UTC))


def _common(expr: str) -> tuple[CronSim | None, list[CronProblem]]:
    if expr.startswith("@"):
        return None, [
            CronProblem(
                f"macro {expr!r} is not supported",
                "write the five fields, e.g. '0 0 * * *' for @daily",
            )
        ]
    fields = expr.split()
    if len(fields) != 5:
        return None, [
            CronProblem(
                "expected 5 fields (minute hour day-of-month month day-of-week), "
                f"got {len(fields)}",
                "e.g. '*/15 * * * *' runs every 15 minutes",
            )
        ]
    try:
        sim = _parse(expr)
    except CronSimError as exc:
        if _valid_with_any_month(fields):
            return None, [_never_fires(expr)]
        return None, [CronProblem(f"invalid cron expression: {exc}", _FIELD_HINT)]
    return sim, []


def _valid_with_any_month(fields: list[str]) -> bool:
    """cronsim rejects '0 0 31 2 *' as a bad day-of-month; it is valid but never fires."""
    try:
        _parse(" ".join([*fields[:3], "*", fields[4]]))
    except CronSimError:
        return False
    return True


def _never_fires(expr: str) -> CronProblem:
    return CronProblem(
        f"{expr!r} never fires (no such date)",
        "check the day-of-month against the month, e.g. February has no 30th or 31st",
    )


_FIELD_HINT = "fields are minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6"


def fires(expr: str, tz: str | None = None) -> bool:
    """True when the expression has at least one run in the next ~28 years."""
    try:
        return next_after(expr, datetime.now(UTC), tz) is not None
    except CronSimError:
        return False


def check_qstash(expr: str) -> list[CronProblem]:
    """QStash: five fields, cronsim-valid, and it must fire at some point."""
    sim, problems = _common(expr)
    if sim is None:
        return problems
    if not fires(expr):
        problems.append(_never_fires(expr))
    return problems


def check_vercel(expr: str, plan: str = "pro") -> list[CronProblem]:
    """Vercel's documented rules: numeric fields only, no L/W/#/?, 0-6 weekdays, OR-free days."""
    if not expr.startswith("@") and (len(expr) < 9 or len(expr) > 256):
        return [CronProblem("must be 9 to 256 characters long", "e.g. '0 6 * * *'")]
    fields = expr.split()
    # Vercel's own field rules first: cronsim rejects some of them ('15W', '?') with a generic
    # "Bad day-of-month" that would hide the real reason.
    if len(fields) == 5 and not expr.startswith("@"):
        problems = _vercel_fields(fields)
        if problems:
            return problems
    sim, problems = _common(expr)
    if sim is None:
        return problems
    dow = fields[4]
    if not problems and any(int(n) > 6 for n in re.findall(r"\d+", dow.split("/")[0])):
        problems.append(
            CronProblem(
                f"day-of-week {dow!r}: Vercel accepts 0-6 only",
                "write Sunday as 0, not 7",
            )
        )
    if fields[2] != "*" and fields[4] != "*":
        problems.append(
            CronProblem(
                "Vercel does not support restricting both day-of-month and day-of-week",
                "set one of them to '*' (or make the job a business job on QStash)",
            )
        )
    if not problems and plan == "hobby" and runs_more_than_daily(expr):
        problems.append(
            CronProblem(
                "the Hobby plan allows cron jobs at most once a day",
                "pick a single minute and hour (e.g. '0 6 * * *'), upgrade the plan, "
                "or make it a business job on QStash",
            )
        )
    if not problems and not fires(expr):
        problems.append(_never_fires(expr))
    return problems


def _vercel_fields(fields: list[str]) -> list[CronProblem]:
    problems: list[CronProblem] = []
    for idx, name in enumerate(("minute", "hour", "day-of-month", "month", "day-of-week")):
        value = fields[idx]
        if _SPECIAL.search(value):
            problems.append(
                CronProblem(
                    f"{name} {value!r}: Vercel does not support L, W, # or ?",
                    "use plain numbers, ranges, lists and steps",
                )
            )
        elif _NAMES.search(value):
            problems.append(
                CronProblem(
                    f"{name} {value!r}: Vercel does not support names like MON or JAN",
                    "use numbers: day-of-week 0-6 (0 is Sunday), month 1-12",
                )
            )
        elif not _NUMERIC_FIELD.match(value):
            problems.append(CronProblem(f"{name} {value!r} is not valid", _FIELD_HINT))
    return problems


def runs_more_than_daily(expr: str) -> bool:
    sim = _parse(expr)
    return len(sim.minutes) > 1 or len(sim.hours) > 1


def iter_runs(expr: str, after: datetime, tz: str | None = None) -> Iterator[datetime]:
    """Run times strictly after `after`, as aware datetimes in the schedule's zone."""
    start = after.astimezone(zone(tz))
    return iter(CronSim(expr, start))


def next_after(expr: str, after: datetime, tz: str | None = None) -> datetime | None:
    try:
        return next(iter_runs(expr, after, tz))
    except (StopIteration, CronSimError):
        return None


def next_runs(expr: str, tz: str | None = None, n: int = 5, after: datetime | None = None):
    """The next `n` runs after `after` (default now), in the schedule's zone."""
    runs: list[datetime] = []
    it = iter_runs(expr, after or datetime.now(UTC), tz)
    for _ in range(n):
        try:
            runs.append(next(it))
        except (StopIteration, CronSimError):
            break
    return runs


def explain(expr: str) -> str:
    try:
        return _parse(expr).explain()
    except Exception:  # explain() is best-effort text; an odd expression must not break a listing
        return expr

