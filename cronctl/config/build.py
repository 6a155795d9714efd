"""From the validated file to the Config: each job made by its target's plugin (defaults
applied, URLs joined), each target's settings kept under its name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import cron
from .. import targets as registry
from .model import SafetySettings
from .project import Config, DiagnosticsEndpoint, Job
from .yamlsource import Source

_SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASS|AUTH|CREDENTIAL", re.I)


@dataclass(frozen=True)
class BuildContext:
    """What a target's `build` may read besides its job."""

    name: str  # the job's name
    project: str
    base_url: str | None  # without a trailing slash
    settings: Any  # the target's own settings (None when its optional key is absent)
    model: Any  # the whole validated top level (FileModel)


def build(path: Path, model: Any, parsed: dict[str, tuple[str, Any]], source: Source
          ) -> Config:
    """`parsed`: job name -> (target name, the job as its target's model checked it)."""
    base_url = model.base_url.rstrip("/") if model.base_url else None
    settings = {p.name: getattr(model, p.settings_key) if p.settings_key else None
                for p in registry.plugins()}
    builders = {p.name: p.ref("build") for p in registry.plugins()}
    jobs: list[Job] = []
    for name, (target, spec) in parsed.items():
        mark = source.keys.get(("jobs", name))
        ctx = BuildContext(name, model.project, base_url, settings[target], model)
        own = builders[target](spec, ctx)
        jobs.append(Job(
            name=name,
            tier=spec.tier,
            target=target,
            path=spec.path,
            schedule=cron.trim(spec.schedule),
            priority=spec.priority,
            description=spec.description,
            enabled=spec.enabled,
            locked=spec.locked,
            renamed_from=spec.renamed_from,
            verify=spec.verify,
            line=mark.line if mark else None,
            **own,
        ))
    diag = model.diagnostics
    return Config(
        path=path,
        project=model.project,
        base_url=base_url,
        jobs=jobs,
        settings=settings,
        diagnostics=DiagnosticsEndpoint(diag.path, tuple(diag.components)) if diag else None,
        safety=model.safety or SafetySettings(),
    )


def secrets_of(config: Config, used: dict[str, str]) -> set[str]:
    """Values that must never be printed: what each job's spec says is secret (forwarded
    header values), and secret-looking variables."""
    found: set[str] = set()
    for job in config.jobs:
        secrets = getattr(job.spec, "secrets", None)
        if callable(secrets):
            found |= set(secrets())
    for name, value in used.items():
        if _SECRET_NAME.search(name) and value:
            found.add(value)
    return found
