"""Provider limits: one table per target (what the provider allows, on which plan, where it
says so and when that was read), and a check of a file's jobs against it. The findings are
warnings, shown by `cronctl validate` (with file and line) and by every plan.

A target names its table in its plugin (`quotas="cronctl.targets.<name>.quotas"`): a module
with `LIMITS` (a tuple of `Limit`) and `check(jobs, settings) -> list[Finding]`. Figures
change: each row carries its source and the date it was read, and docs/writing-a-target.md
asks for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Limit:
    what: str  # "cron jobs per project"
    value: str  # "100", "once a day"
    plans: str  # "every plan", "Hobby", "Free"
    source: str  # the provider's page
    read: str  # the date it was read, YYYY-MM-DD


@dataclass(frozen=True)
class Scheduled:
    """A job as the checks see it (the same from a validated file or a loaded Config)."""

    name: str
    schedule: str
    timezone: str | None
    enabled: bool
    model: Any = None  # the job as its target's model (its own keys), when known


@dataclass(frozen=True)
class Finding:
    message: str
    hint: str
    job: str | None = None  # where validate points (None: the target's settings)
    field: str = "schedule"
    per_job: bool = True  # False: about the file as a whole (job only places it)

    @property
    def line(self) -> str:
        """As a plan shows it (no file and line there): the job named when it is its own."""
        return f"job {self.job!r}: {self.message}" if self.job and self.per_job \
            else self.message


def runs_per_day(dialect, job: Scheduled, *, days: int = 7,
                 start: datetime | None = None) -> float:
    """How often the job fires a day, on average over `days` (from `start`, a Monday by
    default so a weekly job counts the same any day it is asked)."""
    start = start or datetime(2026, 1, 5, tzinfo=UTC)
    end = start + timedelta(days=days)
    n, after = 0, start - timedelta(seconds=1)  # a run at `start` counts
    while True:
        nxt = dialect.next_runs(job.schedule, job.timezone, 1, after=after)
        if not nxt or nxt[0] >= end:
            return n / days
        n, after = n + 1, nxt[0]
        if n > 20_000:  # every minute for a week is 10,080: a bound, never met
            return n / days


def check(plugin, jobs: list[Scheduled], settings: Any) -> list[Finding]:
    """The target's findings for these jobs ([] when it has no table)."""
    if not getattr(plugin, "quotas", None) or not jobs:
        return []
    return list(plugin.ref("quotas").check(jobs, settings))


def for_config(config, name: str) -> list[Finding]:
    """The findings of target `name` for a loaded file."""
    from . import plugin, settings_of

    p = plugin(name)
    jobs = [Scheduled(j.name, j.schedule, j.timezone, j.enabled, j.spec)
            for j in config.jobs_for(name)]
    return check(p, jobs, settings_of(config, name))


def table(plugin) -> tuple[Limit, ...]:
    return tuple(plugin.ref("quotas").LIMITS) if getattr(plugin, "quotas", None) else ()
