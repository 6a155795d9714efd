"""Read schedules.yaml into a `Config`, collecting every problem at once."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..secrets import Secret, reveal
from . import validate
from .diagnostics import Diagnostic, errors
from .interpolate import has_placeholder, interpolate
from .model import BUSINESS_ONLY, FIELD_HINTS, JOB_MODELS, BusinessJob, FileModel
from .project import Config, DiagnosticsEndpoint, Job, render_body, schedule_id
from .yamlsource import Path_, Source, YAMLSyntaxError, parse

SUPPORTED_VERSIONS = (1,)
_SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASS|AUTH|CREDENTIAL", re.I)


class _Reporter:
    def __init__(self, file: str, source: Source | None) -> None:
        self.file = file
        self.source = source
        self.items: list[Diagnostic] = []
        self.unset_paths: set[tuple] = set()  # values still holding an unset ${VAR}

    def add(
        self,
        path: Path_,
        message: str,
        *,
        hint: str | None = None,
        severity: str = "error",
        key: bool = False,
    ) -> None:
        mark = self.source.mark(path, key=key) if self.source else None
        job = str(path[1]) if len(path) >= 2 and path[0] == "jobs" else None
        field_path = path[2:] if job else path
        field = ".".join(str(p) for p in field_path) or None
        self.items.append(
            Diagnostic(
                severity,  # type: ignore[arg-type]
                message,
                self.file,
                mark.line if mark else None,
                mark.col if mark else None,
                job,
                field,
                hint,
            )
        )


def inspect_config(
    path: Path, env: Mapping[str, str] | None = None
) -> tuple[Config | None, list[Diagnostic]]:
    """Load and check the file. The Config is None when any error was found."""
    env = os.environ if env is None else env
    file = str(path)
    rep = _Reporter(file, None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        rep.add((), "no such file", hint="run 'cronctl init', or pass --config PATH")
        return None, rep.items
    except (OSError, UnicodeDecodeError) as exc:
        rep.add((), f"cannot read the file: {exc}", hint="save it as UTF-8 text")
        return None, rep.items
    try:
        source = parse(text)
    except YAMLSyntaxError as exc:
        d = Diagnostic(
            "error",
            f"YAML syntax: {exc.message}",
            file,
            exc.mark.line if exc.mark else None,
            exc.mark.col if exc.mark else None,
            hint=exc.hint or "check indentation, and quote values that contain ': ' or start "
            "with '*'",
        )
        return None, [d]
    rep.source = source
    for dup_path, first, _second in source.duplicates:
        rep.add(
            dup_path,
            f"duplicate key {str(dup_path[-1])!r} (first defined on line {first.line})",
            hint="YAML keeps only one of them; remove or rename the other",
            key=True,
        )
    data = source.data
    if not isinstance(data, dict):
        rep.add((), ("the file is empty" if data is None else "the file must be a mapping")
                + " (expected version, project and jobs)",
                hint="start from 'cronctl init'")
        return None, rep.items
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        rep.add(
            ("version",),
            "missing 'version'" if version is None else f"unsupported version {version!r}",
            hint="this cronctl reads 'version: 1'; upgrade cronctl for newer files",
        )
        return None, rep.items

    resolved, unset, used = interpolate(data, env)
    rep.unset_paths = {tuple(u.path) for u in unset}
    for u in unset:
        rep.add(
            u.path,
            f"${{{u.var}}} is not set",
            severity="warning",
            hint=f"export {u.var} before running commands that need this value",
        )
    top = {k: v for k, v in resolved.items() if k != "jobs"}
    raw_jobs = resolved.get("jobs")
    if raw_jobs is None:
        raw_jobs = {}
    top_ok = True
    try:
        model = FileModel.model_validate({**top, "jobs": {}})
    except ValidationError as exc:
        _pydantic(rep, exc, (), FileModel)
        top_ok = False
        model = _fallback_model(top, exc)
        if any(err["loc"][:1] == ("base_url",) for err in exc.errors()):
            rep.unset_paths.add(("base_url",))  # reported once; its stand-in is not checked
    if not isinstance(raw_jobs, dict):
        rep.add(("jobs",), "'jobs' must be a mapping of job name to job",
                hint="see 'cronctl init' for the shape")
        raw_jobs = {}

    parsed: dict[str, Any] = {}
    for name, raw in raw_jobs.items():
        parsed_job = _job(rep, str(name), raw)
        if parsed_job is not None:
            parsed[str(name)] = parsed_job
    if model is not None:
        # Even after a top-level error, check the jobs, so every problem shows in one run.
        validate.check(rep, model, parsed, raw_jobs)
    if not top_ok or model is None or errors(rep.items):
        return None, rep.items
    config = _build(path, model, parsed, source)
    config.unset = unset
    config.secrets = _secrets(config, used)
    return config, rep.items


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """The Config, or a ConfigError (exit 2) that lists every error."""
    config, diags = inspect_config(path, env)
    if config is None:
        bad = errors(diags)
        exc = ConfigError(
            f"{path} has {len(bad)} error{'s' if len(bad) != 1 else ''}:\n"
            + "\n".join(d.render() for d in bad),
            hint="fix the file ('cronctl validate' shows warnings too); nothing was changed",
        )
        exc.diagnostics = bad
        raise exc
    return config


def _job(rep: _Reporter, name: str, raw: Any) -> Any:
    base: Path_ = ("jobs", name)
    if not isinstance(raw, dict):
        rep.add(base, "a job must be a mapping with tier, path and schedule",
                hint="indent the job's fields under its name")
        return None
    tier = raw.get("tier")
    if tier is None:
        rep.add(base, "missing 'tier'", hint=FIELD_HINTS["tier"], key=True)
        return None
    if tier not in JOB_MODELS:
        close = difflib.get_close_matches(str(tier), list(JOB_MODELS), n=1)
        rep.add((*base, "tier"), f"unknown tier {tier!r}",
                hint=f"did you mean {close[0]!r}?" if close else FIELD_HINTS["tier"])
        return None
    model = JOB_MODELS[tier]
    if tier == "infrastructure":
        business_keys = [k for k in raw if k in BUSINESS_ONLY]
        for key in business_keys:
            rep.add((*base, key), f"{key!r} applies to business jobs only",
                    hint="Vercel crons take path and schedule only; use tier: business "
                         "for QStash features", key=True)
        raw = {k: v for k, v in raw.items() if k not in business_keys}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        _pydantic(rep, exc, base, model)
        bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    # Without the bad keys the job may still be checkable (cron, zone, path): do so, so one
    # run reports everything. The file has errors, so this partial job never reaches a Config.
    try:
        return model.model_validate({k: v for k, v in raw.items() if k not in bad})
    except ValidationError:
        return None


def _fallback_model(top: dict, exc: ValidationError) -> FileModel | None:
    """The top level without its invalid keys, only to run the job checks after an error."""
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    data = {k: v for k, v in top.items() if k not in bad}
    data.setdefault("project", "invalid")
    if "base_url" in bad:
        data["base_url"] = "${base_url}"  # present but unchecked: its own error is reported
    try:
        return FileModel.model_validate({**data, "jobs": {}})
    except ValidationError:
        return None


def _pydantic(rep: _Reporter, exc: ValidationError, base: Path_, model: type) -> None:
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        path = (*base, *loc)
        last = str(loc[-1]) if loc else ""
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(last, allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
            rep.add(path, f"unknown key {last!r}", hint=hint, key=True)
        elif err["type"] == "missing":
            rep.add(path[:-1], f"missing required key {last!r}", hint=FIELD_HINTS.get(last),
                    key=True)
        else:
            field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
            got = err.get("input")
            msg = err["msg"].replace("Input should be", "should be").removeprefix("Value error, ")
            if not isinstance(got, dict | list) and "headers" not in loc:  # values: secrets
                msg += f" (got {got!r})"
            rep.add(path, msg, hint=FIELD_HINTS.get(field))


def _allowed_keys(model: type, loc: tuple) -> list[str]:
    current: Any = model
    for part in loc:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        current = next((c for c in candidates if hasattr(c, "model_fields")), None)
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


def _build(path: Path, model: FileModel, parsed: dict[str, Any], source: Source) -> Config:
    d = model.defaults
    base_url = model.base_url.rstrip("/") if model.base_url else None
    jobs: list[Job] = []
    for name, spec in parsed.items():
        mark = source.keys.get(("jobs", name))
        common = dict(
            name=name,
            tier=spec.tier,
            path=spec.path,
            schedule=spec.schedule.strip(),
            priority=spec.priority,
            description=spec.description,
            enabled=spec.enabled,
            line=mark.line if mark else None,
        )
        if not isinstance(spec, BusinessJob):
            jobs.append(Job(**common))
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
        diagnostics=DiagnosticsEndpoint(diag.path, tuple(diag.components)) if diag else None,
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


def _secrets(config: Config, used: dict[str, str]) -> set[str]:
    """Values that must never be printed: header values and secret-looking variables."""
    found: set[str] = set()
    for job in config.business_jobs:
        for name, value in job.headers.items():
            # A value still holding an unset ${VAR} is not a secret; masking it would turn
            # "${TOKEN} is not set" into "*** is not set".
            value = reveal(value)
            if name.lower() != "content-type" and value and not has_placeholder(value):
                found.add(value)
    for name, value in used.items():
        if _SECRET_NAME.search(name) and value:
            found.add(value)
    return found
