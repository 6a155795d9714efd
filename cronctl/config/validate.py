"""Rules that span fields: job names, URLs, paths, zones, renames. Each target's own rules
(its cron dialect, its limits) are in its package (`targets/<name>/validate.py`), called from
here through the registry; they report through the same `Reporter` and use the helpers below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import cron
from .. import targets as registry
from ..urls import base_url_problem, display, path_problem
from .diagnostics import Reporter

# Always with .fullmatch: `$` alone also matches before a trailing newline ("job\n").
JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# Zones that depend on the host, or are not real places: refused even when the host has them.
HOST_ZONES = {"localtime", "posixrules", "Factory"}


@dataclass
class ValidationContext:
    """What a target's validation may read: the whole top level, and every job."""

    model: Any  # the validated top level (FileModel)
    jobs: dict[str, tuple[str, Any]]  # name -> (target, the job as its target's model)
    raw_jobs: dict
    reported: set = field(default_factory=set)  # for problems said once per file

    def jobs_of(self, target: str) -> dict[str, Any]:
        return {n: j for n, (t, j) in self.jobs.items() if t == target}

    def settings(self, key: str | None) -> Any:
        return getattr(self.model, key) if key else None

    def once(self, key: str) -> bool:
        """True the first time `key` is asked about."""
        if key in self.reported:
            return False
        self.reported.add(key)
        return True


def check(rep: Reporter, model: Any, jobs: dict[str, tuple[str, Any]], raw_jobs: dict) -> None:
    for name in raw_jobs:
        if not JOB_NAME.fullmatch(str(name)):
            rep.add(
                ("jobs", str(name)),
                f"job name {name!r} cannot become a QStash schedule ID",
                hint="use letters, digits, '-', '_' and '.', starting with a letter or digit "
                "(at most 100 characters)",
                key=True,
            )
    if model.base_url and not unresolved(rep, ("base_url",), model.base_url):
        problem = base_url_problem(model.base_url)
        if problem:
            rep.add(("base_url",), f"base_url {display(model.base_url)!r} {problem}",
                    hint="e.g. https://app.example.com")
    ctx = ValidationContext(model, jobs, raw_jobs)
    rules = {}
    for p in registry.plugins():
        rules[p.name] = p.ref("validate") if p.validate else None
        settings_rule = getattr(rules[p.name], "settings", None)
        if settings_rule is not None:
            settings_rule(rep, ctx)
    for name, (target, job) in jobs.items():
        base = ("jobs", name)
        if job.renamed_from is not None and job.renamed_from in raw_jobs:
            rep.add((*base, "renamed_from"),
                    f"renamed_from: {job.renamed_from!r} is still a job in this file",
                    hint=f"remove the job {job.renamed_from!r}, or drop renamed_from")
        if job.path is not None:
            path(rep, (*base, "path"), job.path)
        job_rule = getattr(rules[target], "job", None)
        if job_rule is not None:
            job_rule(rep, base, name, job, ctx)
    provider_limits(rep, ctx)


def provider_limits(rep: Reporter, ctx: ValidationContext) -> None:
    """Each target's limits table (targets/limits.py), as warnings on the jobs they concern."""
    from ..targets import limits

    for p in registry.plugins():
        jobs = [limits.Scheduled(n, j.schedule, getattr(j, "timezone", None), j.enabled, j)
                for n, j in ctx.jobs_of(p.name).items()]
        settings = ctx.settings(p.settings_key)
        for f in limits.check(p, jobs, settings):
            at = ("jobs", f.job, f.field) if f.job else ((p.settings_key,) if p.settings_key
                                                          else ("jobs",))
            rep.add(at, f.message, hint=f.hint, severity="warning")


# -- helpers the targets' rules use ---------------------------------------------------------
def cron_rules(rep: Reporter, base: tuple, dialect: cron.Dialect, expr: str, tz: str | None
               ) -> None:
    """The job's provider's own cron rules: its refusals are errors, its surprises warnings."""
    for problem in dialect.validate(expr, tz):
        rep.add((*base, problem.field), problem.message, hint=problem.hint,
                severity=problem.severity)


def path(rep: Reporter, at: tuple, value: str) -> bool:
    """A path the app serves; True when it was checked and is fine."""
    if unresolved(rep, at, value):
        return False
    problem = path_problem(value)
    if problem:
        rep.add(at, f"path {value!r} {problem}", hint="e.g. /api/cron/cleanup")
        return False
    return True


def unresolved(rep: Reporter, at: tuple, value: str) -> bool:
    """Still holds an unset ${VAR}: checked once the variable is set."""
    return rep.unresolved(at, value)


def zone(rep: Reporter, at: tuple, value: str | None) -> None:
    if value and (value in HOST_ZONES or value.startswith(("right/", "posix/"))):
        rep.add(at, f"timezone {value!r} depends on the host's configuration",
                hint="use an IANA name such as UTC, Europe/Lisbon or America/New_York")
    elif value and not cron.is_valid_zone(value):
        rep.add(at, f"unknown timezone {value!r}",
                hint="use an IANA name such as UTC, Europe/Lisbon or America/New_York")
