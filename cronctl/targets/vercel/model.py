"""The vercel target's part of schedules.yaml: its jobs, its `vercel:` settings, and how a job
becomes the `Job` the target plans with. Light: `cronctl validate` imports it.
No `from __future__ import annotations`: `config/shape.py` reads these annotations as objects.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from ...config.model import JobFields, VerifySettings
from ...config.shape import Ge, Le, spec

Plan = Literal["hobby", "pro", "enterprise"]


@spec
class VercelSettings:
    """Where vercel.json is and what cronctl writes in it, and which Vercel project is
    deployed (for the vercel target's jobs)."""

    plan: Plan = "pro"
    """The Vercel plan: on `hobby` a cron runs at most once a day, some time within its hour."""
    file: str = "vercel.json"
    """The vercel.json to write, relative to schedules.yaml."""
    # What cronctl writes in vercel.json: legacy Cron Jobs (`crons`) or Vercel Schedules.
    output: Literal["crons", "schedules"] = "crons"
    """What cronctl writes in vercel.json: `crons` (Cron Jobs) or `schedules` (Vercel
    Schedules, with a timezone and jitter per job)."""
    # The Vercel project (ID or name) whose deployed crons cronctl reads with VERCEL_TOKEN;
    # else VERCEL_PROJECT_ID or .vercel/project.json.
    project: str | None = None
    """The Vercel project (ID or name) whose deployed crons `list`, `probe` and `trigger` read
    with `VERCEL_TOKEN`; else `VERCEL_PROJECT_ID`, else `.vercel/project.json`."""
    team: str | None = None  # the team ID (teamId=), else VERCEL_ORG_ID or .vercel/project.json
    """The Vercel team ID; else `VERCEL_ORG_ID`, else `.vercel/project.json`."""
    verify: VerifySettings | None = None
    """`cronctl verify` for its jobs: tolerance, grace, max_runtime (a job's own `verify:`
    wins)."""


@spec
class InfrastructureJob(JobFields):
    """A job of the vercel target (vercel.json crons)."""

    # Cron Jobs run in UTC only (validation says so plainly); Vercel Schedules take a zone.
    timezone: str | None = None
    """An IANA zone, with `vercel.output: schedules` only (Cron Jobs run in UTC)."""
    jitter: Annotated[int, Ge(1), Le(15)] | None = None  # Schedules only: minutes
    """Minutes of random delay, 1 to 15, with `vercel.output: schedules` only."""


@dataclass(frozen=True)
class VercelSpec:
    """The vercel target's own part of a loaded job."""

    jitter: int | None = None  # vercel.output: schedules


HINTS = {
    "plan": "one of hobby, pro, enterprise",
    "output": "crons (vercel.json Cron Jobs) or schedules (Vercel Schedules)",
    "jitter": "a whole number of minutes from 1 to 15 (vercel.output: schedules)",
}
LIMITS = ("applies to business jobs only: the vercel target (vercel.json crons) takes "
          "path and schedule only", "use tier: business (QStash) or target: kubernetes "
          "for it")


def build(job: InfrastructureJob, ctx: Any) -> dict[str, Any]:
    return {"timezone": job.timezone or "UTC", "spec": VercelSpec(jitter=job.jitter)}


def dialect(settings: VercelSettings | None):
    from ... import cron

    s = settings or VercelSettings()
    return cron.get_dialect("vercel", plan=s.plan, output=s.output)


def reads(jobs: list) -> set[str]:
    return {"vercel"}


def settings(config: Any) -> VercelSettings:
    """The vercel target's settings in a loaded Config."""
    settings = getattr(config, "settings", None) or {}  # no Config: `cronctl import`
    return settings.get("vercel") or VercelSettings()


def vercel_file(config: Any) -> Path:
    """vercel.json, beside schedules.yaml unless `vercel.file` says otherwise."""
    return Path(config.path).parent / settings(config).file
