"""The loaded project: every job with defaults applied, ready for the providers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .interpolate import Unset

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
    """A job of the file, its target's rules applied: the fields every target shares, and
    `spec`, the target's own typed part (its `build` makes it; only its package reads it)."""

    name: str
    tier: str | None  # infrastructure | business, as the file says (None: only a target)
    path: str | None  # None only for a job that calls no path (a container job)
    schedule: str
    timezone: str = "UTC"
    priority: str = "medium"
    description: str | None = None
    enabled: bool = True
    locked: bool = False
    line: int | None = None
    labels: tuple[str, ...] = ()
    target: str = ""  # where it runs: a registered target's name (config/build.py sets it)
    renamed_from: str | None = None  # the job's previous name (`renamed_from:`)
    spec: Any = None
    verify: Any = None  # its `verify:` (config.model.VerifySettings), None: its target's


@dataclass(frozen=True)
class DiagnosticsEndpoint:
    path: str
    components: tuple[str, ...]


@dataclass
class Config:
    path: Path
    project: str
    base_url: str | None
    jobs: list[Job]
    # Each target's settings by target name (its top-level key's value; None when absent).
    settings: dict[str, Any] = field(default_factory=dict)
    diagnostics: DiagnosticsEndpoint | None = None
    safety: Any = None  # SafetySettings
    unset: list[Unset] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    interpolated: dict[str, str] = field(default_factory=dict)  # ${VAR} -> its value

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        raise ConfigError(f"no job named {name!r} in {self.path.name}",
                          hint=_did_you_mean(name, [j.name for j in self.jobs]))

    def jobs_for(self, target: str) -> list[Job]:
        return [j for j in self.jobs if j.target == target]

    def require_env(self, targets: tuple[str, ...]) -> None:
        """Fail, naming variable, job and field, when a value these targets (or tiers, in the
        seed's words: infrastructure, business) need is unset."""
        from .. import targets as registry

        tiers = registry.tier_targets()
        wanted = {tiers.get(t, t) for t in targets}
        plugins = registry.plugins()
        target_jobs = {j.name for j in self.jobs if j.target in wanted}
        # Top-level keys that only matter to the targets that read them.
        governed = {"base_url", "diagnostics"} | {p.settings_key for p in plugins
                                                  if p.settings_key}
        read: set[str] = set()
        for p in plugins:
            if p.name in wanted and p.reads:
                read |= set(p.ref("reads")(self.jobs_for(p.name)))
        missing = []
        for u in self.unset:
            p = u.path
            if p and p[0] == "jobs" and len(p) > 1 and p[1] not in target_jobs:
                continue
            if p and p[0] in governed and p[0] not in read:
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
