"""The workflow folder as the github target sees it: the files it would write (desired), the
files there are (live: cronctl's own, by their mark, and everyone else's), and the Artifacts a
plan writes or deletes. Pure but for reading the folder."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ...plan import Artifact, Plan
from . import workflow
from .model import GitHubJob
from .model import settings as github_settings

UNMANAGED = "unmanaged:"
SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class WorkflowSpec:
    """One workflow file, in the target's normal form (its parsed document)."""

    key: str  # the job's name; "unmanaged:<file>" for a file cronctl did not write
    file: str  # as shown: relative to schedules.yaml's folder
    paused: bool = False
    schedule: str | None = None
    timezone: str | None = None
    path: Path = field(compare=False, default=Path())
    text: str = field(compare=False, default="")
    doc: Any = field(compare=False, default=None)


def folder(config) -> Path:
    return config.path.parent / github_settings(config).folder


def refuse_links(config) -> None:
    """The workflow folder, and each folder on the way to it from schedules.yaml's, is a real
    folder: a symlink (committed, or made by a hostile checkout) would send cronctl's writes
    and deletes outside the repository."""
    at = config.path.parent
    for part in Path(github_settings(config).folder).parts:
        at = at / part
        try:
            st = at.lstat()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ConfigError(f"{shown(config, at)}: cannot read: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise ConfigError(
                f"{shown(config, at)} is a symlink; cronctl never writes workflows through "
                "one (nothing was written)", hint="make it a real folder, or set github.folder "
                "to one inside the repository")


def file_name(config, job_name: str) -> str:
    return f"{github_settings(config).prefix}{job_name}.yml"


def shown(config, path: Path) -> str:
    try:
        return str(path.relative_to(config.path.parent))
    except ValueError:
        return str(path)


def desired_spec(config, job) -> WorkflowSpec:
    s = github_settings(config)
    model: GitHubJob = job.spec
    call = None
    timeout = model.timeout if model.timeout is not None else s.timeout
    if model.path is not None:
        base = (s.base_url or config.base_url or "").rstrip("/")
        call = workflow.Call(model.method or "GET", base + model.path, s.secret, timeout)
    text = workflow.render(project=config.project, job=job.name, schedule=job.schedule,
                           timezone=job.timezone, paused=not job.enabled, runs_on=s.runs_on,
                           timeout_s=timeout, call=call, command=model.command,
                           description=job.description)
    path = folder(config) / file_name(config, job.name)
    doc = _parse(path, text)
    values = [str(v) for v in flatten(doc).values()] if doc is not None else [text]
    refuse_secrets(config, job, text, values)
    refuse_expressions(config, job, values)
    return WorkflowSpec(job.name, shown(config, path), not job.enabled, job.schedule,
                        job.timezone if job.timezone != "UTC" else None, path, text, doc)


def refuse_secrets(config, job, text: str, values: list[str]) -> None:
    """A workflow is committed: a secret's value is never written into one (the bearer is
    `${{ secrets.NAME }}`, which GitHub fills in at run time)."""
    folded = " ".join(text.split())  # a comment folds a description's whitespace
    for secret in config.secrets:
        if secret and (secret in text or any(secret in v for v in values)
                       or " ".join(secret.split()) in folded):
            where = f"{config.path}:{job.line}" if job.line else str(config.path)
            raise ConfigError(
                f"{where}: job {job.name!r} would write a secret value into its workflow "
                "(target github)", hint="keep secrets in GitHub (Settings -> Secrets and "
                "variables -> Actions) and refer to them there, not in schedules.yaml's values")


def refuse_expressions(config, job, values: list[str]) -> None:
    """`${{ }}` that schedules.yaml's author wrote is theirs; the same from a ${VAR}'s value
    (a branch name or a PR title in CI) would be evaluated by GitHub in the workflow
    (expression injection: secrets.*, github.token), so such a value is refused."""
    for name, value in sorted((getattr(config, "interpolated", None) or {}).items()):
        if "${{" in str(value) and any(str(value) in v for v in values):
            where = f"{config.path}:{job.line}" if job.line else str(config.path)
            raise ConfigError(
                f"{where}: job {job.name!r}: the value of ${{{name}}} holds a GitHub Actions "
                "expression ('${{'), which GitHub would evaluate in the workflow (target "
                "github); nothing was written", hint=f"set {name} to a value without '${{{{', "
                "or write the expression in schedules.yaml itself")


def read(config) -> list[WorkflowSpec]:
    """Every workflow file in the folder: cronctl's own (of this project) by job name, every
    other as unmanaged. Symlinks and files that are not text are never read, only counted."""
    where = folder(config)
    refuse_links(config)
    try:
        entries = sorted(where.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise ConfigError(f"{where} is not a folder", hint="set github.folder to a folder "
                          "(default .github/workflows)") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror}") from None
    out = []
    for path in entries:
        if not path.name.endswith(SUFFIXES):
            continue
        name = shown(config, path)
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            out.append(WorkflowSpec(UNMANAGED + name, name, path=path))
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            out.append(WorkflowSpec(UNMANAGED + name, name, path=path))
            continue
        found = workflow.owner(text)
        if found is None or found[0] != config.project:
            out.append(WorkflowSpec(UNMANAGED + name, name, path=path, text=text))
            continue
        doc = _parse(path, text)
        cron, tz = workflow.schedule_of(doc)
        out.append(WorkflowSpec(found[1], name, cron is None, cron, tz, path, text, doc))
    return _one_file_a_job(config, out)


def _one_file_a_job(config, specs: list[WorkflowSpec]) -> list[WorkflowSpec]:
    """A copy of a generated workflow keeps its mark: when several files claim one job, the
    one at the job's own file name is cronctl's and the others are not (never changed or
    deleted); when none is there, which one is cronctl's cannot be told: refused."""
    claims: dict[str, list[WorkflowSpec]] = {}
    for spec in specs:
        if not spec.key.startswith(UNMANAGED):
            claims.setdefault(spec.key, []).append(spec)
    out = [s for s in specs if s.key.startswith(UNMANAGED) or len(claims[s.key]) == 1]
    for job, files in sorted(claims.items()):
        if len(files) < 2:
            continue
        own = [s for s in files if s.path.name == file_name(config, job)]
        if not own:
            raise ConfigError(
                f"{', '.join(s.file for s in files)} all say they are job {job!r}'s workflow "
                "(first line); cronctl cannot tell which one it wrote (nothing was changed)",
                hint="delete the copies, or remove the '# Generated by cronctl' first line of "
                f"each one that is not cronctl's (its own is {file_name(config, job)})")
        out += own + [WorkflowSpec(UNMANAGED + s.file, s.file, path=s.path, text=s.text)
                      for s in files if s not in own]
    return sorted(out, key=lambda s: s.path)


def _parse(path: Path, text: str) -> Any:
    """The document (None when it is not YAML: a hand edit broke it; the plan rewrites it)."""
    from ...config.yamlsource import YAMLSyntaxError, parse

    try:
        return parse(text).data
    except YAMLSyntaxError:
        return None


def flatten(doc: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": [1]}}` -> `{"a.b[0]": 1}`; YAML 1.1's `on` (read as true) is "on"."""
    out: dict[str, Any] = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            name = "on" if k is True else str(k)
            out.update(flatten(v, f"{prefix}.{name}" if prefix else name))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = doc
    return out


def artifacts(config, plan: Plan, desired: list[WorkflowSpec], live: list[WorkflowSpec]
              ) -> list[Artifact]:
    """The files the plan writes (its creates, updates, pauses, resumes, renames, and the
    unchanged ones as they are) and deletes (its deletes, and a job's old file when its name
    changed). A file cronctl did not write is never one of them: a job whose file would land
    on one is refused here."""
    by_key = {d.key: d for d in desired}
    foreign = {s.path: s for s in live if s.key.startswith(UNMANAGED)}
    out: dict[Path, Artifact] = {}

    def write(spec: WorkflowSpec, old: WorkflowSpec | None) -> None:
        if spec.path in foreign:
            raise ConfigError(
                f"{spec.file} exists and cronctl did not write it; job {spec.key!r} would "
                "replace it (nothing was written)", hint="rename the job, set github.prefix, "
                "or move that workflow away")
        before = old.text if old is not None and old.path == spec.path else None
        out[spec.path] = Artifact(spec.path, before, spec.text, spec.file, (spec.key,))
        if old is not None and old.path != spec.path:
            delete(old)

    def delete(spec: WorkflowSpec) -> None:
        if spec.path not in out:
            out[spec.path] = Artifact(spec.path, spec.text, None, spec.file, (spec.key,))

    live_by_key = {s.key: s for s in live}
    for change in plan.changes:
        if change.action == "delete":
            delete(change.live)
        else:
            write(change.desired, change.live)
    for name in plan.unchanged:
        spec = by_key[name]
        write(spec, live_by_key.get(spec.key))
    return sorted(out.values(), key=lambda a: a.shown)
