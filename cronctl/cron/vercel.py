"""Vercel's cron: numeric-only and strict, in UTC, as Vercel documents it.

The rules (Vercel's cron-jobs docs and the error its deploy answers with, "Error while
validating your Cron Jobs expressions"; golden table in tests/fidelity/vercel/cases.json):

- 9 to 256 characters; five fields separated by single spaces (a tab, two spaces, a leading or
  trailing space or a non-breaking space are refused); no macros (@daily ...);
- fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6 (Sunday 0; 7 is
  refused); numbers, `*`, ranges `a-b`, lists `a,b` and steps `*/n`, `a-b/n`, `a/n` (read as a to
  the field's maximum); no names (MON, JAN), no `L`, `W`, `#`, `?`;
- a step is 1 to the field's maximum value (`*/60`, `0 */24 * * *`, `0 0 */32 * *` are refused);
- day-of-month and day-of-week cannot both be restricted (one must be `*`);
- always UTC; on the Hobby plan at most once a day, and the run happens some time within the
  scheduled hour (`window_minutes = 60`).

Vercel Schedules (`VercelDialect(plan, schedules=True)`, vercel.output: schedules) take the same
expressions with an IANA zone per schedule; an unknown zone is Vercel's
INVALID_SCHEDULE_TIMEZONE.
"""

from __future__ import annotations

import re

from . import robfig
from .base import CronProblem, Dialect, Refused
from .describe import values
from .zones import UTC_ZONE, is_valid_zone
from .zones import zone as load_zone

_BOUNDS = (robfig.MINUTES, robfig.HOURS, robfig.DOM, robfig.MONTHS, robfig.DOW)
_ITEM = re.compile(r"^(?:(\*)|(\d+)(?:-(\d+))?)(?:/(\d+))?$")
FIELD_HINT = ("fields are minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6 "
              "(Sunday is 0), with *, a-b, a,b and */n")


def _refuse(message: str, hint: str = FIELD_HINT) -> Refused:
    return Refused(CronProblem(message, hint))


class VercelDialect(Dialect):
    name = "vercel"
    provider = "Vercel"

    def __init__(self, plan: str = "pro", *, schedules: bool = False) -> None:
        self.plan = plan
        self.schedules = schedules
        self.window_minutes = 60 if plan == "hobby" else 0

    def validate(self, expr: str, timezone: str | None = None) -> list[CronProblem]:
        """The zone and the expression are checked apart, so both are reported."""
        zone = self._zone_problem(timezone)
        return ([zone] if zone else []) + super().validate(expr, None)

    def _zone_problem(self, timezone: str | None) -> CronProblem | None:
        if self.schedules:
            if timezone and not is_valid_zone(timezone):
                return CronProblem(
                    f"unknown timezone {timezone!r} (Vercel: INVALID_SCHEDULE_TIMEZONE)",
                    "use an IANA name such as UTC, Europe/Lisbon or America/New_York",
                    field="timezone")
            return None
        if timezone and timezone != "UTC":
            return CronProblem(
                "Vercel runs cron jobs in UTC only",
                "set 'vercel: {output: schedules}' (Vercel Schedules take a timezone), "
                "convert the schedule to UTC, or make it a business job (QStash supports "
                "CRON_TZ)", field="timezone")
        return None

    def compile(self, expr: str, timezone: str | None = None):
        zone = self._zone_problem(timezone)
        if zone:
            raise Refused(zone)
        if expr.startswith("@"):
            raise _refuse(f"macro {expr!r} is not supported",
                          "Vercel takes five numeric fields, e.g. '0 0 * * *' for @daily")
        if len(expr) < 9 or len(expr) > 256:
            raise _refuse("must be 9 to 256 characters long", "e.g. '0 6 * * *'")
        fields = expr.split(" ")
        if any(not f or re.search(r"\s", f) for f in fields):
            raise _refuse("fields must be separated by single spaces (no tabs, double or "
                          "non-breaking spaces, nothing before or after)",
                          "write e.g. '0 6 * * *' with one plain space between fields")
        if len(fields) != 5:
            raise _refuse(f"expected 5 fields (minute hour day-of-month month day-of-week), "
                          f"got {len(fields)}", "e.g. '*/15 * * * *' runs every 15 minutes")
        values = [self._field(f, b) for f, b in zip(fields, _BOUNDS, strict=True)]
        if fields[2] != "*" and fields[4] != "*":
            raise _refuse("Vercel does not support restricting both day-of-month and day-of-week",
                          "set one of them to '*' (or make the job a business job on QStash)")
        return robfig.Spec(*values), load_zone(timezone) if self.schedules else UTC_ZONE

    def _field(self, text: str, b: robfig.Bounds) -> int:
        if re.search(r"[LW#?]", text):
            raise _refuse(f"{b.name} {text!r}: Vercel does not support L, W, # or ?",
                          "use plain numbers, ranges, lists and steps")
        if re.search(r"[A-Za-z]", text):
            raise _refuse(f"{b.name} {text!r}: Vercel does not support names like MON or JAN",
                          "use numbers: day-of-week 0-6 (0 is Sunday), month 1-12")
        out = 0
        for item in text.split(","):
            m = _ITEM.match(item)
            if not m:
                raise _refuse(f"{b.name} {text!r} is not valid")
            star, lo, hi, step = m.groups()
            start = b.min if star else int(lo)
            end = b.max if star or (step and hi is None) else int(hi or lo)
            for value in (start, end):
                if not b.min <= value <= b.max:
                    hint = "write Sunday as 0, not 7" if b is robfig.DOW else FIELD_HINT
                    raise _refuse(f"{b.name} {text!r}: Vercel accepts {b.min}-{b.max} only", hint)
            if start > end:
                raise _refuse(f"{b.name} {text!r}: range {start}-{end} runs backwards")
            n = int(step) if step else 1
            if not 1 <= n <= b.max:
                raise _refuse(f"{b.name} {text!r}: step {n} is outside 1-{b.max}",
                              f"Vercel refuses a step larger than the field's range ({b.name} "
                              f"goes up to {b.max})")
            out |= robfig.bits(start, end, n) | (robfig.STAR if star and n == 1 else 0)
        return out

    def extra_rules(self, sched) -> list[CronProblem]:
        if self.plan == "hobby" and (len(values(sched.minute, 0, 59)) > 1
                                     or len(values(sched.hour, 0, 23)) > 1):
            return [CronProblem(
                "the Hobby plan allows cron jobs at most once a day",
                "Vercel: 'Hobby accounts are limited to daily cron jobs'; pick a single minute "
                "and hour (e.g. '0 6 * * *'), upgrade the plan, or make it a business job on "
                "QStash")]
        return []

    def describe(self, expr: str, timezone: str | None = None) -> str:
        text = super().describe(expr, timezone)
        if self.window_minutes and self.refusal(expr) is None:
            text += " (Hobby plan: some time within that hour)"
        return text

