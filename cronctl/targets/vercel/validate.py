"""The vercel target's rules: its cron dialect (plan and output), and Vercel's limits."""

from __future__ import annotations

from typing import Any

from ... import cron
from ...config.diagnostics import Reporter
from ...config.validate import cron_rules, unresolved
from ...urls import path_problem
from .model import dialect
from .quotas import MAX_CRONS as VERCEL_MAX_CRONS  # the limits table's figure (quotas.py)

VERCEL_MAX_PATH = 512


def settings(rep: Reporter, ctx: Any) -> None:
    jobs = ctx.jobs_of("vercel")
    enabled = [n for n, j in jobs.items() if j.enabled]
    if len(enabled) > VERCEL_MAX_CRONS:
        rep.add(
            ("jobs", enabled[VERCEL_MAX_CRONS]),
            f"{len(enabled)} infrastructure jobs; Vercel allows at most {VERCEL_MAX_CRONS}",
            hint="move some to tier: business (QStash), or disable them",
            key=True,
        )


def job(rep: Reporter, base: tuple, name: str, j: Any, ctx: Any) -> None:
    at = (*base, "path")
    if (j.path and not unresolved(rep, at, j.path) and not path_problem(j.path)
            and len(j.path) > VERCEL_MAX_PATH):
        rep.add(at, f"path is {len(j.path)} characters; Vercel allows {VERCEL_MAX_PATH}")
    # Stripped, as vercel.json gets it. Cron Jobs: a zone other than UTC is Vercel's error on
    # 'timezone'; Vercel Schedules take an IANA zone (else INVALID_SCHEDULE_TIMEZONE). Job
    # names already match Vercel's schedule-name pattern.
    s = ctx.model.vercel
    cron_rules(rep, base, dialect(s), cron.trim(j.schedule), j.timezone)
    if j.jitter is not None and s.output != "schedules":
        rep.add((*base, "jitter"), "jitter needs Vercel Schedules",
                hint="set 'vercel: {output: schedules}' or remove 'jitter'")
