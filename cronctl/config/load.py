"""Read schedules.yaml into a `Config`, collecting every problem at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any, get_args

from .. import targets as registry
from ..environment import current
from ..errors import ConfigError
from . import validate
from .build import build, secrets_of
from .diagnostics import Diagnostic, Reporter, errors
from .interpolate import interpolate
from .model import field_hints, file_model, job_models
from .project import Config
from .shape import Invalid, either, fields
from .shape import validate as check_shape
from .yamlsource import Path_, YAMLSyntaxError, parse

SUPPORTED_VERSIONS = (1,)


def inspect_config(
    path: Path, env: Mapping[str, str] | None = None, *, text: str | None = None
) -> tuple[Config | None, list[Diagnostic]]:
    """Load and check the file (or `text`, as if it were the file's contents). The Config is
    None when any error was found."""
    env = current().vars if env is None else env
    file = str(path)
    rep = Reporter(file, None)
    try:
        if text is None:
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
    rep.values = dict(used)
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
    FileModel = file_model()
    try:
        model = check_shape(FileModel, {**top, "jobs": {}})
    except Invalid as exc:
        _shape_errors(rep, exc, (), FileModel)
        top_ok = False
        model = _fallback_model(top, exc)
        if any(err["loc"][:1] == ("base_url",) for err in exc.errors()):
            rep.unset_paths.add(("base_url",))  # reported once; its stand-in is not checked
    if not isinstance(raw_jobs, dict):
        rep.add(("jobs",), "'jobs' must be a mapping of job name to job",
                hint="see 'cronctl init' for the shape")
        raw_jobs = {}

    parsed: dict[str, tuple[str, Any]] = {}  # name -> (target, the job as its model)
    tier_targets = {**registry.tier_targets(), **(model.tiers if model is not None else {})}
    for name, raw in raw_jobs.items():
        parsed_job = _job(rep, str(name), raw, tier_targets)
        if parsed_job is not None:
            parsed[str(name)] = parsed_job
    if model is not None:
        # Even after a top-level error, check the jobs, so every problem shows in one run.
        validate.check(rep, model, parsed, raw_jobs)
    if not top_ok or model is None or errors(rep.items):
        return None, rep.items
    config = build(path, model, parsed, source)
    config.unset = unset
    config.secrets = secrets_of(config, used)
    config.interpolated = dict(used)
    return config, rep.items


def load_config(path: Path, env: Mapping[str, str] | None = None, *,
                text: str | None = None) -> Config:
    """The Config, or a ConfigError (exit 2) that lists every error."""
    config, diags = inspect_config(path, env, text=text)
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


def _job(rep: Reporter, name: str, raw: Any, tier_targets: dict[str, str]) -> Any:
    base: Path_ = ("jobs", name)
    if not isinstance(raw, dict):
        rep.add(base, "a job must be a mapping with tier, path and schedule",
                hint="indent the job's fields under its name")
        return None
    target = resolve_target(rep, base, raw, tier_targets)
    if target is None:
        return None
    models = job_models()
    model = models[target]
    every_key = {k for m in models.values() for k in fields(m)}
    foreign = [k for k in raw if k not in fields(model) and k in every_key]
    why, hint = registry.plugin(target).limits
    for key in foreign:
        rep.add((*base, key), f"{key!r} {why}", hint=hint, key=True)
    raw = {k: v for k, v in raw.items() if k not in foreign}
    try:
        return target, check_shape(model, raw)
    except Invalid as exc:
        _shape_errors(rep, exc, base, model)
        bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    # Without the bad keys the job may still be checkable (cron, zone, path): do so, so one
    # run reports everything. The file has errors, so this partial job never reaches a Config.
    try:
        return target, check_shape(model, {k: v for k, v in raw.items() if k not in bad})
    except Invalid:
        return None


def resolve_target(rep: Reporter, base: Path_, raw: dict, tier_targets: dict[str, str]
                   ) -> str | None:
    """Where the job runs: its `target`, else where the file's `tiers:` mapping (or the default
    mapping) sends its `tier`."""
    target, tier = raw.get("target"), raw.get("tier")
    names = registry.names()
    tiers = registry.tier_targets()
    hints = field_hints()
    if target is not None:
        if target not in names:
            close = difflib.get_close_matches(str(target), list(names), n=1)
            rep.add((*base, "target"), f"unknown target {target!r}",
                    hint=f"did you mean {close[0]!r}?" if close else hints["target"])
            return None
        if tier is not None and tier not in tiers:
            rep.add((*base, "tier"), f"unknown tier {tier!r}", hint=hints["tier"])
            return None
        return str(target)
    if tier is None:
        rep.add(base, "missing 'tier'", hint=hints["tier"] + "; or say where it runs "
                "with target: " + " | ".join(names), key=True)
        return None
    if tier not in tiers:
        close = difflib.get_close_matches(str(tier), list(tiers), n=1)
        rep.add((*base, "tier"), f"unknown tier {tier!r}",
                hint=f"did you mean {close[0]!r}?" if close else hints["tier"])
        return None
    return tier_targets[tier]


def _fallback_model(top: dict, exc: Invalid) -> Any:
    """The top level without its invalid keys, only to run the job checks after an error."""
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    data = {k: v for k, v in top.items() if k not in bad}
    data.setdefault("project", "invalid")
    if "base_url" in bad:
        data["base_url"] = "${base_url}"  # present but unchecked: its own error is reported
    try:
        return check_shape(file_model(), {**data, "jobs": {}})
    except Invalid:
        return None


def _shape_errors(rep: Reporter, exc: Invalid, base: Path_, model: type) -> None:
    hints = field_hints()
    for err in _one_per_union(exc.errors()):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        path = (*base, *loc)
        last = str(loc[-1]) if loc else ""
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(last, allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
            rep.add(path, f"unknown key {last!r}", hint=hint, key=True)
        elif err["type"] == "missing":
            rep.add(path[:-1], f"missing required key {last!r}", hint=hints.get(last),
                    key=True)
        else:
            # the hint of the nearest field that has one (`env` for env.TOKEN)
            field = next((str(p) for p in reversed(loc) if str(p) in hints), "")
            got = err.get("input")
            msg = err["msg"].replace("Input should be", "should be").removeprefix("Value error, ")
            # YAML's word: a mapping (pydantic's: a dictionary or an instance of its class)
            msg = re.sub(r"a valid dictionary( or instance of \w+)?", "a mapping", msg)
            if not isinstance(got, dict | list) and "headers" not in loc:  # values: secrets
                msg += f" (got {got!r})"
            rep.add(path, msg, hint=hints.get(field))


def _one_per_union(errs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A value that fits none of a field's forms (`str | SecretRef`) is one error: the errors
    inside the one form it came close to, else one naming every form."""
    out: list[Any] = []
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for err in errs:
        at = err.get("union")  # set by shape.py: where the form's name is in `loc`
        if at is None:
            out.append(err)
            continue
        key = tuple(err["loc"][:at])
        if key not in groups:
            groups[key] = []
            out.append(groups[key])  # the group keeps the place of its first error
        groups[key].append(err)
    return [e for item in out for e in (_merged(item) if isinstance(item, list) else [item])]


def _merged(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    at = group[0]["union"]
    key = tuple(group[0]["loc"][:at])
    inner = [e for e in group if len(e["loc"]) > at + 1]
    if inner:  # the value had the shape of one form: that form's own errors
        return [{**e, "loc": (*key, *e["loc"][at + 1:])} for e in inner]
    forms = either([e["msg"].removeprefix("Input should be ") for e in group])
    return [{"type": "union", "loc": key, "msg": f"Input should be {forms}",
             "input": group[0]["input"]}]


def _allowed_keys(model: type, loc: tuple) -> list[str]:
    current: Any = model
    for part in loc:
        entry = fields(current).get(part)
        if entry is None:
            return []
        current = next((c for c in _types_in(entry[0]) if is_dataclass(c)), None)
        if current is None:
            return []
    return sorted(fields(current))


def _types_in(tp: Any) -> list[Any]:
    """`tp` and the types inside it (`X | None`, `Annotated[X, ...]`)."""
    return [tp, *(t for arg in get_args(tp) for t in _types_in(arg))]
