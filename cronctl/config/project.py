"""The loaded project: every job with defaults applied, ready for the providers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..secrets import Secret
from .interpolate import Unset
from .model import TIER_TARGETS

SCHEDULE_ID_PREFIX = "cronctl"


def schedule_id_prefix(project: str) -> str:
    """Every schedule cronctl manages for `project` has an ID starting with this."""
    return f"{SCHEDULE_ID_PREFIX}.{project}."


def schedule_id(project: str, job: str) -> str:
    return schedule_id_prefix(project) + job


_OWNED = re.compile(rf"^{SCHEDULE_ID_PREFIX}\.([a-z0-9][a-z0-9-]{{0,62}})\.(.+)\Z", re.S)


def owner_of(schedule_id: str) -> str | None:
    """The cronctl project that manages this schedule, or None for one nobody manages.

    A schedule of *any* cronctl project is never adopted, imported as a copy or deleted by
    another project: only truly unmanaged schedules are."""
    m = _OWNED.match(schedule_id)
    return m.group(1) if m else None


@dataclass(frozen=True)
class Job:
    name: str
    tier: str | None  # infrastructure | business, as the file says (None: only a target)
    path: str | None  # None only for a Kubernetes container job
    schedule: str
    timezone: str = "UTC"
    priority: str = "medium"
    description: str | None = None
    enabled: bool = True
    locked: bool = False
    line: int | None = None
    # Business jobs only; the defaults of the file are already applied.
    url: str | None = None
    method: str = "POST"
    headers: dict[str, str | Secret] = field(default_factory=dict)  # forwarded ones: Secret
    retries: int | None = None
    timeout: int | None = None
    delay: int | None = None
    retry_delay: str | None = None
    body: str | None = None
    labels: tuple[str, ...] = ()
    callback: str | None = None
    failure_callback: str | None = None
    concurrency: int | None = None
    jitter: int | None = None  # vercel target with vercel.output: schedules
    schedule_id: str | None = None
    target: str = "vercel"  # where it runs: vercel | qstash | kubernetes
    # The kubernetes target's own fields (the validated KubernetesJob model), else None.
    kubernetes: Any = None
    renamed_from: str | None = None  # the job's previous name (`renamed_from:`)
    runner: Any = None  # the runner target's own fields (the validated RunnerJob), else None

    @property
    def history_ids(self) -> tuple[str, ...]:
        """The schedule IDs its runs were recorded under: its own, then its previous name's."""
        if not self.schedule_id:
            return ()
        if not self.renamed_from:
            return (self.schedule_id,)
        prefix = self.schedule_id[: len(self.schedule_id) - len(self.name)]
        return (self.schedule_id, prefix + self.renamed_from)

    @property
    def is_business(self) -> bool:
        """A QStash job (the seed's 'business' tier, wherever the mapping sends it)."""
        return self.target == "qstash"


@dataclass(frozen=True)
class DiagnosticsEndpoint:
    path: str
    components: tuple[str, ...]


@dataclass
class Config:
    path: Path
    project: str
    base_url: str | None
    vercel_plan: str
    vercel_file: Path
    jobs: list[Job]
    vercel_output: str = "crons"  # crons | schedules
    vercel_project: str | None = None
    vercel_team: str | None = None
    diagnostics: DiagnosticsEndpoint | None = None
    kubernetes: Any = None  # KubernetesSettings when the file has a `kubernetes:` section
    safety: Any = None  # SafetySettings
    runner: Any = None  # RunnerSettings when the file has a `runner:` section
    defaults: Any = None  # the file's `defaults:` (the runner applies them itself)
    unset: list[Unset] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        raise ConfigError(f"no job named {name!r} in {self.path.name}",
                          hint=_did_you_mean(name, [j.name for j in self.jobs]))

    def jobs_for(self, target: str) -> list[Job]:
        return [j for j in self.jobs if j.target == target]

    @property
    def business_jobs(self) -> list[Job]:
        """The qstash target's jobs."""
        return self.jobs_for("qstash")

    @property
    def infrastructure_jobs(self) -> list[Job]:
        """The vercel target's jobs."""
        return self.jobs_for("vercel")

    @property
    def id_prefix(self) -> str:
        return schedule_id_prefix(self.project)

    def require_env(self, targets: tuple[str, ...] = ("qstash",)) -> None:
        """Fail, naming variable, job and field, when a value these targets (or tiers, in the
        seed's words: infrastructure, business) need is unset."""
        wanted = {TIER_TARGETS.get(t, t) for t in targets}
        target_jobs = {j.name for j in self.jobs if j.target in wanted}
        missing = []
        for u in self.unset:
            p = u.path
            if p and p[0] == "jobs" and len(p) > 1 and p[1] not in target_jobs:
                continue
            if p and p[0] == "defaults" and "qstash" not in wanted:
                continue
            if p and p[0] == "base_url" and "qstash" not in wanted and not (
                    "kubernetes" in wanted
                    and any(j.path for j in self.jobs_for("kubernetes"))):
                continue  # only QStash and Kubernetes HTTP jobs call base_url
            if p and p[0] == "kubernetes" and not ("kubernetes" in wanted
                                                   and self.jobs_for("kubernetes")):
                continue
            if p and p[0] == "diagnostics":
                continue
            missing.append(u)
        if missing:
            lines = [f"${{{u.var}}} is not set ({_describe(u.path)})" for u in missing]
            names = sorted({u.var for u in missing})
            raise ConfigError(
                f"{self.path}: " + "; ".join(lines),
                hint=f"export {names[0]}=... (or write ${{{names[0]}:-default}} in the file)",
            )


def _did_you_mean(name: str, names: list[str]) -> str:
    """A few close names, never the whole list (a project can have hundreds of jobs)."""
    import difflib

    if not names:
        return "the file has no jobs yet"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    close += sorted(n for n in names if name and name in n and n not in close)[:3 - len(close)]
    if close:
        return "did you mean " + " or ".join(repr(n) for n in close) + "?"
    return f"{len(names)} jobs in the file; 'cronctl list --local' shows them"


def _describe(path: tuple) -> str:
    if len(path) >= 3 and path[0] == "jobs":
        return f"job {path[1]!r}, field {'.'.join(map(str, path[2:]))}"
    return "field " + ".".join(map(str, path))


def render_body(body: object) -> str | None:
    """A mapping or list is sent as compact JSON; a string as-is."""
    if body is None:
        return None
    if isinstance(body, str):
        return body
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
