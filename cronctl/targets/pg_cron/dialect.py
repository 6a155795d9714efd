"""pg_cron's cron dialect: what `cron.schedule` accepts (entry.py, ported from its C source),
when the scheduler runs it (UTC), and what it means in words.

The server's version decides the grammar (`pg_cron: {version: ...}`): 1.4 is five fields or an
@word; 1.5 adds `'N seconds'` (1 to 59); 1.6 adds `$` (the last day of the month) and refuses a
step larger than its field. Supabase runs 1.6, the default.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ...cron import robfig
from ...cron.base import CronProblem, Dialect, Refused
from ...cron.describe import describe_spec
from . import entry as pg

VERSIONS = {"1.4": (1, 4), "1.5": (1, 5), "1.6": (1, 6)}
UTC_NAMES = ("UTC", "GMT", "Etc/UTC", "Etc/GMT")
_UTC = ZoneInfo("UTC")
_FIELD_HINT = ("five fields in UTC: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or "
               "Jan-Dec, day-of-week 0-7 or Sun-Sat (0 and 7 are Sunday); items *, N, N-M, */S "
               "or N-M/S; or @hourly, @daily, @weekly, @monthly, @yearly")


class PgCronDialect(Dialect):
    name = "pg_cron"
    provider = "pg_cron"
    separators = " \t"  # Skip_Blanks: a space or a tab; anything past ASCII is refused

    def __init__(self, version: str = "1.6") -> None:
        self.version = version
        self.parsed_version = VERSIONS.get(version, (1, 6))

    @property
    def plan(self) -> str:  # the base's validation memo keys on it
        return self.version

    def entry(self, expr: str, timezone: str | None = None) -> pg.Entry:
        """The parsed schedule, or Refused with pg_cron's own message and a hint."""
        if timezone and timezone not in UTC_NAMES:
            raise Refused(CronProblem(
                f"pg_cron runs schedules in UTC (GMT), not {timezone}",
                "write the schedule's hours in UTC and remove the timezone", field="timezone"))
        foreign = next((i for i, c in enumerate(expr) if ord(c) > 127 or c == "\0"), None)
        if foreign is not None:
            c = expr[foreign]
            raise Refused(CronProblem(
                f"character {foreign + 1}, {unicodedata.name(c, 'a control character')} "
                f"(U+{ord(c):04X}): cronctl refuses characters past ASCII in a pg_cron schedule",
                "pg_cron reads them as bytes its parser skips or stops at; write the schedule "
                "in ASCII: digits 0-9, spaces or tabs between fields"))
        found = pg.parse(expr, self.parsed_version)
        if found is None:
            raise Refused(CronProblem(f"pg_cron {self.version} refuses {expr!r}: invalid "
                                      f"schedule: {expr}", self._hint(expr)))
        return found

    def compile(self, expr: str, timezone: str | None = None):
        return as_spec(self.entry(expr, timezone)), _UTC

    def _hint(self, expr: str) -> str:
        v = self.parsed_version
        if re.search(r"\bsec", expr.lower()):
            return ("pg_cron takes '[1-59] seconds' from version 1.5" if v < (1, 5) else
                    "an interval is '[1-59] seconds', e.g. '30 seconds'")
        if "$" in expr:
            return ("pg_cron takes '$' (last day of the month) from version 1.6" if v < (1, 6)
                    else "'$' stands alone as the day-of-month, e.g. '0 0 $ * *'")
        field = pg.failed_field(expr, v)
        where = f"the {pg.FIELD_NAMES[field]} field: " if field is not None and \
            len(expr.split()) >= 5 else ""
        if re.search(r"(^|[\s,])\d+/\d", expr):
            return f"{where}pg_cron has no N/S: write a range with the step, e.g. 5-59/10"
        if re.search(r"[LW#?]", expr):
            return f"{where}pg_cron has no L, W, # or ?: list the days instead"
        if len(expr.split()) < 5:
            return _FIELD_HINT
        if v >= (1, 6) and "/" in expr:
            return f"{where}a step is at most the field's largest value (1.6.5 refuses more)"
        return where + _FIELD_HINT

    # -- the three questions, with pg_cron's own evaluator ----------------------------------
    def _validate(self, expr: str, timezone: str | None) -> list[CronProblem]:
        try:
            found = self.entry(expr, timezone)
        except Refused as exc:
            return [exc.problem]
        if found.reboot:
            return [CronProblem(f"{expr!r} runs only when the pg_cron scheduler starts, on no "
                                "clock", "give it a time, e.g. '0 3 * * *'", severity="warning")]
        if pg.next_after(found, datetime.now(UTC)) is None:
            return [CronProblem(f"{expr!r} never fires (no such date)",
                                "check the day-of-month against the month, e.g. February has "
                                "no 30th or 31st")]
        out = []
        fields = [f for f in re.split(r"[ \t]+", expr.strip(" \t")) if f]
        if found.seconds is None and not expr.lstrip(" \t").startswith("@") and len(fields) > 5:
            out.append(CronProblem(
                f"{expr!r} has {len(fields)} fields: pg_cron reads the first five (minute to "
                "day-of-week) and ignores the rest (a crontab's command), so there is no "
                "seconds or year field", "write five fields", severity="warning"))
        if found.seconds is None and not (found.dom_star or found.dow_star) and not (
                found.dom == pg.ALL_DAYS and found.dow == 0x7F) and \
                (found.dom or found.last_dom) and found.dow:
            out.append(CronProblem(
                f"day-of-month and day-of-week are both restricted in {expr!r}: pg_cron runs on "
                "days matching EITHER of them (not both)",
                "that is Vixie cron's rule, which pg_cron keeps; restrict one field and check "
                "the other in the job", severity="warning"))
        if found.dom_star and found.dom != pg.ALL_DAYS and found.dow != 0x7F:
            out.append(CronProblem(
                f"{expr!r}: a day-of-month starting with '*' (such as */2) counts as '*' in "
                "pg_cron, so a day must match both day fields",
                "that is Vixie cron's rule; write the days as a list or range (1-31/2) to have "
                "either match", severity="warning"))
        return out

    def next_runs(self, expr: str, timezone: str | None = None, n: int = 5,
                  after: datetime | None = None) -> list[datetime]:
        try:
            found = self.entry(expr, timezone)
        except Refused:
            return []
        t = after or datetime.now(UTC)
        runs: list[datetime] = []
        for _ in range(n):
            nxt = pg.next_after(found, t)
            if nxt is None:
                break
            runs.append(nxt)
            t = nxt
        return runs

    def describe(self, expr: str, timezone: str | None = None) -> str:
        try:
            found = self.entry(expr, timezone)
        except Refused:
            return expr
        if found.reboot:
            return "When the pg_cron scheduler starts"
        if not found.last_dom:
            return describe_spec(as_spec(found))
        star, days, months = robfig.STAR, pg.ALL_DAYS | robfig.STAR, robfig.bits(1, 12)
        text = describe_spec(robfig.Spec(found.minute, found.hour, days, found.month,
                                         0x7F | star)).replace(" every day", "")
        text += " on the last day of the month"
        if not found.dow_star and found.dow != 0x7F:
            weekdays = describe_spec(robfig.Spec(1, 1, days, months, found.dow))
            text += " or " + weekdays.removeprefix("At 00:00 ")
        return text


def as_spec(found: pg.Entry) -> robfig.Spec | robfig.Every:
    """The schedule as the shared robfig bits (for describe and the slot code); the star flags
    carry pg_cron's day rule, which is robfig's too."""
    if found.seconds:
        return robfig.Every(found.seconds)
    star = robfig.STAR
    return robfig.Spec(found.minute, found.hour,
                       found.dom | (star if found.dom_star else 0), found.month,
                       found.dow | (star if found.dow_star else 0))

