"""GitHub Actions' cron (`on.schedule[].cron`): five POSIX fields, no macros, no seconds, a
zone only in the `timezone:` key, and at most one run every 5 minutes.

GitHub's scheduler is not public; actionlint (rhysd/actionlint, rule_events.go) is the
reference the tests hold this dialect to: it parses with robfig/cron v3's five-field parser
(no descriptors) and refuses an expression whose first two runs after the epoch are less than
5 minutes apart. That misses `0,3 * * * *`: the first run strictly after 1970-01-01 00:00 is
00:03 and the next 01:00, 57 minutes on. cronctl checks every gap over a year instead, in the
job's zone (a DST change can bring two runs closer, too).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ...cron import robfig
from ...cron.base import CronProblem, Refused
from ...cron.gotime import go_fields
from ...cron.robfig_dialect import RobfigDialect
from ...cron.zones import load_location

MIN_GAP_S = 5 * 60  # "The shortest interval you can run scheduled workflows is once every 5 min"
YEAR_S = 366 * 24 * 3600
FIELDS = "five fields: minute hour day-of-month month day-of-week, e.g. '30 5 * * 1-5'"


class GitHubDialect(RobfigDialect):
    name = "github"
    provider = "GitHub"
    library = "robfig/cron v3 (as actionlint checks it)"

    def compile(self, expr: str, timezone: str | None = None):
        # As robfig reads it (actionlint's parser): no trimming, Go's idea of a space.
        if expr.startswith("@"):
            raise Refused(CronProblem(
                f"GitHub Actions does not support {expr.split()[0]!r} (no @yearly, @monthly, "
                "@weekly, @daily, @hourly or @reboot)",
                f"write the {FIELDS}; @daily is '0 0 * * *'"))
        if "TZ=" in expr:
            raise Refused(CronProblem(
                f"GitHub Actions refuses a TZ= or CRON_TZ= prefix in {expr!r}",
                "remove it and set the job's timezone (it becomes the schedule's timezone:)"))
        count = len(go_fields(expr))
        if count != 5:
            raise Refused(CronProblem(
                f"GitHub Actions takes exactly 5 fields, got {count} in {expr!r}", FIELDS))
        sched = self.parse(expr)
        return sched, self.zone(timezone)

    def zone(self, timezone: str | None):
        if not timezone or timezone == "UTC":
            return load_location("")
        try:
            return load_location(timezone)
        except ValueError:
            raise Refused(CronProblem(
                f"invalid timezone {timezone!r}: GitHub takes an IANA timezone name",
                "e.g. Europe/Lisbon or America/New_York", field="timezone")) from None

    def _validate(self, expr: str, timezone: str | None) -> list[CronProblem]:
        problems = super()._validate(expr, timezone)
        if any(p.severity == "error" for p in problems):
            return problems
        gap = shortest_gap(expr, timezone, datetime.now(UTC))
        if gap is not None:
            first, second = gap
            minutes = (second - first).total_seconds() / 60
            problems.append(CronProblem(
                f"{expr!r} runs {minutes:g} minutes apart (at {first:%H:%M} and "
                f"{second:%H:%M} {first.tzname()}): GitHub runs scheduled workflows at most "
                "once every 5 minutes",
                "space the runs at least 5 minutes apart (e.g. '*/5' minutes), or use a "
                "target that runs more often (QStash, the runner)"))
        return problems


def shortest_gap(expr: str, timezone: str | None, start: datetime
                 ) -> tuple[datetime, datetime] | None:
    """The first two consecutive runs within a year of `start` that are less than 5 minutes
    apart (in real time), or None when there are none."""
    sched, tz = GitHubDialect().compile(expr, timezone)
    if isinstance(sched, robfig.Every):  # unreachable: no descriptors
        return None
    t0 = int(start.timestamp())
    prev = robfig.next_unix(sched, t0, tz)
    while prev is not None and prev - t0 < YEAR_S:
        nxt = robfig.next_unix(sched, prev, tz)
        if nxt is None:
            return None
        if nxt - prev < MIN_GAP_S:
            return (datetime.fromtimestamp(prev, tz), datetime.fromtimestamp(nxt, tz))
        prev = nxt
    return None

