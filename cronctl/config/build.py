"""From the validated file to the Config: defaults applied, URLs joined, targets resolved."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..secrets import Secret, reveal
from .interpolate import has_placeholder
from .model import BusinessJob, FileModel, KubernetesJob, RunnerJob, SafetySettings
from .project import Config, DiagnosticsEndpoint, Job, render_body, schedule_id
from .yamlsource import Source

_SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASS|AUTH|CREDENTIAL", re.I)


def target_of(spec: Any) -> str:
    if isinstance(spec, BusinessJob):
        return "qstash"
    if isinstance(spec, KubernetesJob):
        return "kubernetes"
    if isinstance(spec, RunnerJob):
        return "runner"
    return "vercel"


def build(path: Path, model: FileModel, parsed: dict[str, Any], source: Source) -> Config:
    d = model.defaults
    base_url = model.base_url.rstrip("/") if model.base_url else None
    jobs: list[Job] = []
    for name, spec in parsed.items():
        mark = source.keys.get(("jobs", name))
        target = target_of(spec)
        common = dict(
            name=name,
            tier=spec.tier,
            target=target,
            path=spec.path,
            schedule=spec.schedule.strip(),
            priority=spec.priority,
            description=spec.description,
            enabled=spec.enabled,
            locked=spec.locked,
            renamed_from=spec.renamed_from,
            line=mark.line if mark else None,
        )
        if isinstance(spec, KubernetesJob):
            jobs.append(Job(**common, timezone=spec.timezone or "UTC", kubernetes=spec,
                            method=spec.method or "POST", body=render_body(spec.body),
                            retries=spec.retries, timeout=spec.timeout,
                            concurrency=spec.concurrency))
            continue
        if isinstance(spec, RunnerJob):  # the runner resolves the rest (runner/job.py)
            jobs.append(Job(**common, timezone=spec.timezone or d.timezone or "UTC",
                            runner=spec))
            continue
        if not isinstance(spec, BusinessJob):
            jobs.append(Job(**common, timezone=spec.timezone or "UTC", jitter=spec.jitter))
            continue
        # Forwarded header values are secrets: they render as *** wherever they go.
        headers: dict[str, Any] = {
            k: v if k.lower() == "content-type" else Secret(v)
            for k, v in _merge_headers(d.headers, spec.headers).items()
        }
        body = render_body(spec.body)
        if isinstance(spec.body, dict | list) and not _has_header(headers, "content-type"):
            headers["Content-Type"] = "application/json"
        jobs.append(
            Job(
                **common,
                timezone=spec.timezone or d.timezone or "UTC",
                url=f"{base_url}{spec.path}" if base_url else None,
                method=spec.method or d.method or "POST",
                headers=headers,
                retries=_pick(spec.retries, d.retries),
                timeout=_pick(spec.timeout, d.timeout),
                delay=_pick(spec.delay, d.delay),
                retry_delay=spec.retry_delay or d.retry_delay,
                body=body,
                labels=tuple(spec.labels if spec.labels is not None else (d.labels or ())),
                callback=_url(base_url, spec.callback or d.callback),
                failure_callback=_url(base_url, spec.failure_callback or d.failure_callback),
                concurrency=spec.concurrency,
                schedule_id=schedule_id(model.project, name),
            )
        )
    diag = model.diagnostics
    return Config(
        path=path,
        project=model.project,
        base_url=base_url,
        vercel_plan=model.vercel.plan,
        vercel_file=(path.parent / model.vercel.file),
        jobs=jobs,
        vercel_output=model.vercel.output,
        vercel_project=model.vercel.project,
        vercel_team=model.vercel.team,
        diagnostics=DiagnosticsEndpoint(diag.path, tuple(diag.components)) if diag else None,
        kubernetes=model.kubernetes,
        runner=model.runner,
        defaults=d,
        safety=model.safety or SafetySettings(),
    )


def _pick(value: Any, default: Any) -> Any:
    return value if value is not None else default


def _merge_headers(defaults: dict, own: dict) -> dict[str, str]:
    """Job headers override defaults by name (case-insensitive); a null value removes one."""
    merged: dict[str, str | None] = {}
    for source in (defaults, own):
        for name, value in source.items():
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
    return {k: v for k, v in merged.items() if v is not None}


def _has_header(headers: dict[str, str], name: str) -> bool:
    return any(k.lower() == name for k in headers)


def _url(base_url: str | None, target: str | None) -> str | None:
    if not target:
        return None
    if target.startswith("/") and base_url:
        return base_url + target
    return target


def secrets_of(config: Config, used: dict[str, str]) -> set[str]:
    """Values that must never be printed: header values and secret-looking variables."""
    found: set[str] = set()
    for job in config.business_jobs:
        for name, value in job.headers.items():
            value = reveal(value)
            # A value still holding an unset ${VAR} is not a secret; masking it would turn
            # "${TOKEN} is not set" into "*** is not set".
            if name.lower() != "content-type" and value and not has_placeholder(value):
                found.add(value)
    for name, value in used.items():
        if _SECRET_NAME.search(name) and value:
            found.add(value)
    return found
