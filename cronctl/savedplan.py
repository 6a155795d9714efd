"""A saved plan: `cronctl diff --out plan.json`, then `cronctl schedule --plan plan.json` applies
exactly what was reviewed (Terraform's `plan -out` / `apply PLAN`, octoDNS's `--checksum`).

The file holds the plan as JSON for a person or a PR comment (the same shape as `diff --json`,
so no secret: header values never appear), the options it was made with (`--job`, prune,
adopt), and checksums: of schedules.yaml, and per target of the desired state (the file with
its ${VARS} resolved) and of the live state. Applying it plans again and refuses (exit 1) when
any checksum or the list of changes differs: something changed since the review.

The desired and live checksums are keyed (HMAC-SHA256 over a canonical form; compared fields
only, plus the text of a file target's file): both states hold secrets (forwarded header values,
CRON_SECRET), and an unkeyed hash would let anyone with the plan and the public schedules.yaml
confirm a guessed secret offline. The key never travels with the plan: it is the user's own
(`plan.key` in cronctl's private state folder, statedir.py), or CRONCTL_PLAN_KEY when the plan is
made on one machine and applied on another (a CI secret given to both jobs). The plan names
which (`key.source`) and carries a key ID (an HMAC of a constant), so applying with another key
is refused as such, not as a changed state. Format 2; a format-1 plan (unkeyed) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .environment import current
from .errors import CronctlError, ExitStatus, UsageError
from .fsutil import write_atomic
from .output import redact
from .secrets import Secret

FORMAT = "cronctl-plan"
VERSION = 2
KEY_ENV = "CRONCTL_PLAN_KEY"
KEY_FILE = "plan.key"
MIN_KEY = 16  # characters of CRONCTL_PLAN_KEY


class StalePlan(CronctlError):
    """The saved plan no longer matches the file or the live state."""

    exit_status = ExitStatus.FAILED


class PlanKey:
    """The key of a plan's checksums: CRONCTL_PLAN_KEY if set, else this user's own."""

    def __init__(self, secret: bytes, source: str) -> None:
        self._secret = secret
        self.source = source  # "CRONCTL_PLAN_KEY" or "state"

    @property
    def id(self) -> str:
        return hmac.new(self._secret, b"cronctl plan key id", hashlib.sha256).hexdigest()[:16]

    def mac(self) -> hmac.HMAC:
        return hmac.new(self._secret, b"", hashlib.sha256)

    def __repr__(self) -> str:  # never the secret
        return f"PlanKey(source={self.source!r}, id={self.id!r})"


def plan_key() -> PlanKey:
    value = current().get(KEY_ENV, "").strip()
    if value:
        if len(value) < MIN_KEY:
            raise UsageError(f"{KEY_ENV} is too short to key a plan's checksums "
                             f"({len(value)} characters; at least {MIN_KEY})",
                             hint="use a long random value, e.g. 'openssl rand -hex 32', "
                                  "kept as a CI secret")
        return PlanKey(value.encode(), KEY_ENV)
    from .statedir import secret_file

    return PlanKey(secret_file(KEY_FILE), "state")


def _canonical(spec: Any) -> Any:
    if isinstance(spec, Secret):  # its value counts (a changed CRON_SECRET is a change);
        return "secret:" + spec.reveal()  # inside the keyed checksum only; never shown
    if is_dataclass(spec) and not isinstance(spec, type):
        return {f.name: _canonical(getattr(spec, f.name)) for f in fields(spec) if f.compare}
    if isinstance(spec, dict):
        return {str(k): _canonical(v) for k, v in sorted(spec.items(), key=lambda kv: str(kv[0]))}
    if isinstance(spec, list | tuple):
        return [_canonical(v) for v in spec]
    return spec if isinstance(spec, str | int | float | bool | type(None)) else str(spec)


def digest(key: PlanKey, specs: list, text: str | None = None) -> str:
    """A keyed checksum of specs (in any order) and, for a file target, the file's text."""
    rows = sorted(json.dumps(_canonical(s), sort_keys=True, default=str) for s in specs)
    h = key.mac()
    for row in rows:
        h.update(row.encode())
        h.update(b"\n")
    h.update(b"\0" + (text.encode() if text is not None else b"\1absent"))
    return "hmac-sha256:" + h.hexdigest()


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def changes_of(plan) -> list[list[str]]:
    return [[c.action, c.job, c.key] for c in plan.changes]


def write(path: Path, *, config, options: dict, planned: list, report: dict,
          key: PlanKey) -> None:
    targets = {}
    for p in planned:
        targets[p.plan.target] = {
            "desired": p.desired_digest,
            "live": p.live_digest,
            "changes": changes_of(p.plan),
            "skipped": p.plan.skipped,
        }
    data = {
        "format": FORMAT,
        "version": VERSION,
        "cronctl": __version__,
        "project": config.project,
        "config": {"file": config.path.name, "checksum": file_digest(config.path)},
        "key": {"source": key.source, "id": key.id},
        "options": options,
        "targets": targets,
        "plan": report,
    }
    # The same scrubbing as everything printed: a secret never reaches the file.
    text = redact(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    write_atomic(path, (text + "\n").encode())


def read(path: Path) -> dict:
    """The saved plan, checked to be one cronctl wrote (the shape of every field applying it
    reads); UsageError (exit 2) with one message otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such plan file",
                         hint="make one with 'cronctl diff --out PLAN.json'") from None
    except RecursionError:
        raise UsageError(f"{path}: not a cronctl plan: its JSON is nested too deeply",
                         hint="make one with 'cronctl diff --out PLAN.json'") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a cronctl plan: {exc}",
                         hint="make one with 'cronctl diff --out PLAN.json'") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not a cronctl plan",
                         hint="make one with 'cronctl diff --out PLAN.json'")
    if data.get("version") != VERSION:
        raise UsageError(f"{path}: plan format {data.get('version')!r}; this cronctl reads "
                         f"{VERSION}", hint="make the plan again with this cronctl version")
    problem = _problem(data)
    if problem:
        raise UsageError(f"{path}: not a plan cronctl wrote ({problem}); nothing was applied",
                         hint="make it again with 'cronctl diff --out PLAN.json' (never edit "
                         "a plan by hand)")
    return data


def _problem(data: dict) -> str | None:
    """What is wrong with a plan of the right format and version (a field of the wrong type,
    a field missing), or None."""

    def names(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(x, str) for x in value)

    for key in ("cronctl", "project"):
        if not isinstance(data.get(key), str):
            return f"{key} must be a string"
    config = data.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("checksum"), str):
        return "config.checksum must be a string"
    options = data.get("options", {})
    if not isinstance(options, dict):
        return "options must be an object"
    if not names(options.get("jobs", [])):
        return "options.jobs must be a list of job names"
    for key in ("prune", "adopt"):
        if not isinstance(options.get(key, False), bool):
            return f"options.{key} must be true or false"
    targets = data.get("targets")
    if not isinstance(targets, dict):
        return "targets must be an object"
    for name, target in targets.items():
        if not isinstance(target, dict):
            return f"targets.{name} must be an object"
        for key in ("desired", "live"):
            if not isinstance(target.get(key), str):
                return f"targets.{name}.{key} must be a checksum string"
        changes = target.get("changes")
        if not isinstance(changes, list) or not all(names(c) and len(c) == 3 for c in changes):
            return f"targets.{name}.changes must be a list of [action, job, key]"
    return None


_AGAIN = "review a new plan: 'cronctl diff --out PLAN.json', then apply that one"


def check_key(saved: dict, key: PlanKey, plan_path: Path) -> None:
    made = saved.get("key") if isinstance(saved.get("key"), dict) else {}
    if made.get("id") == key.id:
        return
    if made.get("source") == KEY_ENV:
        how = (f"it was made with {KEY_ENV}; set the same {KEY_ENV} here"
               if key.source != KEY_ENV else f"{KEY_ENV} differs from the one it was made with")
    else:
        how = (f"it was made with the plan key of another machine or user; set the same "
               f"{KEY_ENV} (a CI secret) where you plan and where you apply")
    raise UsageError(f"{plan_path} was made with another plan key: {how}; nothing was applied",
                     hint="or make the plan where you apply it: 'cronctl diff --out PLAN.json'")


def check_config(saved: dict, config, plan_path: Path) -> None:
    if saved.get("cronctl") != __version__:
        raise StalePlan(f"{plan_path} was made by cronctl {saved.get('cronctl')}, this is "
                        f"{__version__}; nothing was applied", hint=_AGAIN)
    if saved.get("project") != config.project:
        raise StalePlan(f"{plan_path} is a plan for project {saved.get('project')!r}, "
                        f"not {config.project!r}", hint=_AGAIN)
    if saved["config"]["checksum"] != file_digest(config.path):
        raise StalePlan(f"{config.path.name} changed since the plan {plan_path} was made; "
                        "nothing was applied", hint=_AGAIN)


def check_targets(saved: dict, planned: list, plan_path: Path) -> None:
    """Refuse when a target's desired or live state, or its list of changes, differs."""
    targets = saved.get("targets") or {}
    now = {p.plan.target for p in planned}
    if set(targets) != now:
        raise StalePlan(f"{plan_path} was made for targets {', '.join(sorted(targets))}; "
                        f"the file now uses {', '.join(sorted(now))}; nothing was applied",
                        hint=_AGAIN)
    for p in planned:
        was = targets[p.plan.target]
        title = p.plan.title or p.plan.target
        if was.get("desired") != p.desired_digest:
            raise StalePlan(f"{title}: the desired state changed since the plan (the file's "
                            "${VARS} resolve differently); nothing was applied", hint=_AGAIN)
        if was.get("live") != p.live_digest:
            raise StalePlan(f"{title}: the live state changed since the plan was made "
                            "(someone or something changed it); nothing was applied",
                            hint=_AGAIN)
        if was.get("changes") != changes_of(p.plan):
            raise StalePlan(f"{title}: the plan is no longer the same; nothing was applied",
                            hint=_AGAIN)
