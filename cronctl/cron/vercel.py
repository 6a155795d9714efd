"""Vercel's cron, in UTC, proven against Vercel's own validators.

tests/fidelity/vercel/golden.json holds the verdicts of Vercel's code from the npm registry
(scripts/vercel_golden.py) on the shared corpus; tests/fidelity/test_vercel_golden.py holds this
dialect to them: nothing accepted that Vercel refuses, and each refusal of something Vercel
accepts is one of the deliberate ones listed in docs/dialects.md (`DELIBERATE` below names them).

Cron Jobs (vercel.json `crons`), as `vercel crons add` and the vercel.json schema check them:

- 9 to 256 characters; no macros (@daily ...); five fields separated by runs of ASCII spaces or
  tabs, which may also lead and trail; every character printable ASCII (a Unicode digit or space
  is refused, naming it: JavaScript's Number() refuses other digits, and cronctl does not pass on
  the invisible ones);
- fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6 (Sunday 0);
  numbers in plain decimal digits, `*`, ranges `a-b`, lists `a,b` and steps `*/n`, `a-b/n`,
  `a/n` (a to the field's maximum), any step from 1 (a step past the field's range matches only
  its first value: a warning); no names (MON, JAN), no `L`, `W`, `#`, `?`;
- day-of-month and day-of-week cannot both be restricted (one must be `*`);
- always UTC; on the Hobby plan at most once a day, and the run happens some time within the
  scheduled hour (`window_minutes = 60`).

Vercel Schedules (`VercelDialect(plan, schedules=True)`, vercel.output: schedules), as Vercel's
local Schedules broker checks them (`vercel dev`): the same, but fields separated by exactly one
space, no number above 6 in day-of-week (steps included), and no value listed twice in a field
(cron-parser's duplicate check); an IANA zone per schedule (INVALID_SCHEDULE_TIMEZONE).
"""

from __future__ import annotations

import re
import unicodedata

from . import robfig
from .base import CronProblem, Dialect, Refused
from .describe import values
from .zones import UTC_ZONE, is_valid_zone
from .zones import zone as load_zone

_BOUNDS = (robfig.MINUTES, robfig.HOURS, robfig.DOM, robfig.MONTHS, robfig.DOW)
_ITEM = re.compile(r"(?:(\*)|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?")  # ASCII digits only
_NUMBER_FORM = re.compile(r"[+.]|0[xXbBoO]|[0-9][eE]")  # what JavaScript's Number() also reads
_CRONS_GAP = re.compile(r"[ \t]+")
_SCHEDULES_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+/-]*")  # Vercel's Schedules broker, ASCII
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})  # tz database files, no zones
FIELD_HINT = ("fields are minute 0-59, hour 0-23, day-of-month 1-31, month 1-12, day-of-week 0-6 "
              "(Sunday is 0), with *, a-b, a,b and */n")
_CONTROLS = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return",
             "\v": "a vertical tab", "\f": "a form feed", "\x00": "a NUL character"}
ASCII_HINT = "retype the schedule with the digits 0-9 and plain spaces, e.g. '0 6 * * *'"


def _refuse(message: str, hint: str = FIELD_HINT) -> Refused:
    return Refused(CronProblem(message, hint))


def is_schedules_zone(name: str) -> bool:
    """A zone Vercel Schedules take: the broker's ASCII pattern and length, a name the tz
    database has, and an IANA zone rather than one of the database's other files."""
    return (len(name) <= 50 and bool(_SCHEDULES_ZONE.fullmatch(name))
            and name not in _NOT_ZONES and is_valid_zone(name))


def foreign_character(expr: str, spaces: str) -> CronProblem | None:
    """The first character that is neither printable ASCII nor one of `spaces`, named."""
    for i, ch in enumerate(expr):
        if " " < ch <= "~" or ch in spaces:
            continue
        what = f"{unicodedata.name(ch, None) or _CONTROLS.get(ch, 'a control character')} " \
               f"(U+{ord(ch):04X})"
        if unicodedata.category(ch) == "Nd":
            why = "is not one of the ASCII digits 0-9, the only digits Vercel reads"
        elif ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf", "Cc"):
            allowed = "a plain space or a tab" if "\t" in spaces else "a plain space"
            why = f"is not {allowed}, the only separators cronctl passes on to Vercel"
        else:
            why = "is not part of a Vercel cron"
        return CronProblem(f"character {i + 1}, {what}, {why}", ASCII_HINT)
    return None


class VercelDialect(Dialect):
    name = "vercel"
    provider = "Vercel"

    def __init__(self, plan: str = "pro", *, schedules: bool = False) -> None:
        self.plan = plan
        self.schedules = schedules
        self.separators = " " if schedules else " \t"
        self.window_minutes = 60 if plan == "hobby" else 0

    def validate(self, expr: str, timezone: str | None = None) -> list[CronProblem]:
        """The zone and the expression are checked apart, so both are reported."""
        zone = self._zone_problem(timezone)
        return ([zone] if zone else []) + super().validate(expr, None)

    def _zone_problem(self, timezone: str | None) -> CronProblem | None:
        if self.schedules:
            if timezone and not is_schedules_zone(timezone):
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
        foreign = foreign_character(expr, self.separators)
        if foreign:
            raise Refused(foreign)
        if len(expr) < 9 or len(expr) > 256:
            raise _refuse("must be 9 to 256 characters long", "e.g. '0 6 * * *'")
        fields = self.fields(expr)
        if len(fields) != 5:
            raise _refuse(f"expected 5 fields (minute hour day-of-month month day-of-week), "
                          f"got {len(fields)}", "e.g. '*/15 * * * *' runs every 15 minutes")
        values = [self._field(f, b) for f, b in zip(fields, _BOUNDS, strict=True)]
        if fields[2] != "*" and fields[4] != "*":
            raise _refuse("Vercel does not support restricting both day-of-month and day-of-week",
                          "set one of them to '*' (or make the job a business job on QStash)")
        return robfig.Spec(*values), load_zone(timezone) if self.schedules else UTC_ZONE

    def fields(self, expr: str) -> list[str]:
        """Cron Jobs: runs of ASCII spaces and tabs separate fields (Vercel's CLI trims and splits
        on whitespace); Schedules: exactly one space (Vercel's Schedules broker splits on " ")."""
        if not self.schedules:
            return _CRONS_GAP.split(expr.strip(" \t"))
        fields = expr.split(" ")
        if "" in fields:
            raise _refuse("Vercel Schedules take fields separated by single spaces (no double "
                          "spaces, nothing before or after)",
                          "write e.g. '0 6 * * *' with one plain space between fields")
        return fields

    def _field(self, text: str, b: robfig.Bounds) -> int:
        if re.search(r"[LW#?]", text):
            raise _refuse(f"{b.name} {text!r}: Vercel does not support L, W, # or ?",
                          "use plain numbers, ranges, lists and steps")
        if _NUMBER_FORM.search(text):
            raise _refuse(f"{b.name} {text!r}: write whole numbers in plain decimal digits (no "
                          "sign, point, exponent or 0x)",
                          "Vercel's CLI reads such forms with JavaScript's Number(); cron does not")
        if re.search(r"[A-Za-z]", text):
            raise _refuse(f"{b.name} {text!r}: Vercel does not support names like MON or JAN",
                          "use numbers: day-of-week 0-6 (0 is Sunday), month 1-12")
        if "" in text.split(","):
            raise _refuse(f"{b.name} {text!r}: a list has an empty item",
                          "separate values with single commas, e.g. 0,30")
        out = 0
        for item in text.split(","):
            bits = self._item(item, text, b)
            if self.schedules and out & bits & ~robfig.STAR:
                raise _refuse(f"{b.name} {text!r}: a value is listed twice (Vercel Schedules "
                              "refuse duplicate values)", "list each value once")
            out |= bits
        return out

    def _item(self, item: str, text: str, b: robfig.Bounds) -> int:
        m = _ITEM.fullmatch(item)
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
        if n < 1:
            raise _refuse(f"{b.name} {text!r}: a step must be 1 or more")
        if self.schedules and b is robfig.DOW and n > b.max:
            raise _refuse(f"{b.name} {text!r}: Vercel Schedules refuse a number above 6 in "
                          "day-of-week, a step included", "e.g. '0 0 * * 0' for Sundays")
        return robfig.bits(start, end, n) | (robfig.STAR if star and n == 1 else 0)

    def surprises(self, expr: str, sched: robfig.Spec) -> list[CronProblem]:
        out = []
        for text, b in zip(self.fields(expr), _BOUNDS, strict=True):
            for item in text.split(","):
                step = item.partition("/")[2]
                if step and int(step) > b.max - b.min:
                    out.append(CronProblem(
                        f"{b.name} {item!r}: the step is larger than the field, so it matches "
                        "only its first value (not 'every N' across the boundary)",
                        f"write the value itself if that was meant ({b.name} is "
                        f"{b.min}-{b.max})", severity="warning"))
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

