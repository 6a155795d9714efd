"""What every dialect answers, with the same code: is it valid here, when does it run, in words.

A dialect compiles an expression to robfig-style bits (cronctl.cron.robfig.Spec/Every) plus a
zone, and the run times come from one evaluator (`robfig.next_unix`); the dialects differ in what
they accept, in the zone rules, and in the warnings they give.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from . import robfig
from .describe import describe_spec
from .dst import dst_warnings
from .problem import CronProblem

Compiled = tuple[robfig.Spec | robfig.Every, ZoneInfo]
_MEMO_SIZE = 4096
_VALIDATED: dict[tuple, tuple[CronProblem, ...]] = {}


class Refused(ValueError):
    """The provider refuses the expression (or its zone)."""

    def __init__(self, problem: CronProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class Dialect:
    """One provider's cron. Subclasses implement `compile`."""

    name = ""
    provider = ""
    window_minutes = 0  # how late within the run's hour the provider may fire (Vercel Hobby: 60)
    # The characters the provider's parser reads as a field separator (tests/cron/test_unicode.py
    # holds every dialect to it, with every Unicode space character).
    separators = " "

    def compile(self, expr: str, timezone: str | None = None) -> Compiled:
        """The schedule and the zone it runs in; raises Refused with the provider's reason."""
        raise NotImplementedError

    # -- the three questions --------------------------------------------------------------------

    def refusal(self, expr: str, timezone: str | None = None) -> CronProblem | None:
        """What the provider itself would say: None when it accepts the expression."""
        try:
            self.compile(expr, timezone)
        except Refused as exc:
            return exc.problem
        return None

    def validate(self, expr: str, timezone: str | None = None) -> list[CronProblem]:
        """Errors (the provider refuses it, or it never runs); warnings (it runs surprisingly).

        A project repeats a few schedules over many jobs, and the DST search is the costly
        part, so each (dialect, expression, zone) is answered once per process and day."""
        key = (type(self), tuple(sorted(vars(self).items())), expr, timezone,
               datetime.now(UTC).date())  # the dialect's settings: plan, output...
        found = _VALIDATED.get(key)
        if found is None:
            if len(_VALIDATED) >= _MEMO_SIZE:
                _VALIDATED.clear()
            found = _VALIDATED[key] = tuple(self._validate(expr, timezone))
        return list(found)

    def _validate(self, expr: str, timezone: str | None) -> list[CronProblem]:
        try:
            sched, tz = self.compile(expr, timezone)
        except Refused as exc:
            return [exc.problem]
        problems = self.extra_rules(sched)
        if any(p.severity == "error" for p in problems):
            return problems
        if robfig.next_unix(sched, datetime.now(UTC).timestamp(), tz) is None:
            return [*problems, CronProblem(
                f"{expr!r} never fires (no such date)",
                "check the day-of-month against the month, e.g. February has no 30th or 31st")]
        if isinstance(sched, robfig.Spec):
            problems += self.surprises(expr, sched)
            problems += dst_warnings(sched, tz, self.provider)
        return problems

    def extra_rules(self, sched) -> list[CronProblem]:
        return []

    def surprises(self, expr: str, sched: robfig.Spec) -> list[CronProblem]:
        """Warnings for what the provider accepts but reads differently than it looks."""
        return []

    def next_after(self, expr: str, after: datetime,
                   timezone: str | None = None) -> datetime | None:
        runs = self.next_runs(expr, timezone, 1, after=after)
        return runs[0] if runs else None

    def next_runs(self, expr: str, timezone: str | None = None, n: int = 5,
                  after: datetime | None = None) -> list[datetime]:
        """The next `n` runs strictly after `after` (default now), aware, in the schedule's zone;
        fewer when it stops firing, none when the provider refuses the expression."""
        try:
            sched, tz = self.compile(expr, timezone)
        except Refused:
            return []
        t: float = (after or datetime.now(UTC)).timestamp()
        runs: list[datetime] = []
        for _ in range(n):
            nxt = robfig.next_unix(sched, t, tz)
            if nxt is None:
                break
            runs.append(datetime.fromtimestamp(nxt, tz))
            t = nxt
        return runs

    def describe(self, expr: str, timezone: str | None = None) -> str:
        """Plain English; the expression itself when the provider refuses it."""
        try:
            sched, _ = self.compile(expr, timezone)
        except Refused:
            return expr
        return describe_spec(sched)
