"""`vercel.output: schedules`: infrastructure jobs as Vercel Schedules in vercel.json.

The shape, kept here and nowhere else, is the one Vercel's docs show
(vercel.com/docs/schedules/configuration): an object keyed by schedule name,

    "schedules": {"<job>": {"schedule": "...", "path": "/api/...", "requestMethod": "GET",
                            "timezone": "<IANA zone>", "jitter": <1-15, when set>}}

`requestMethod: GET` so a route keeps receiving what Cron Jobs sent it (GET, user-agent
vercel-cron/1.0, x-vercel-cron-schedule, Authorization: Bearer CRON_SECRET; docs: "Migrating
from Cron Jobs to Schedules"). vercel CLI 64.0.2's config schema still describes `schedules`
as an array of {name, ...}; cronctl follows the docs (see docs/targets/vercel.md).

Ownership: the `schedules` entries with a `path` target (cronctl writes only those; entries
that target a `function` or a queue `topic` are left as they are), and the `crons` entries on
the path of one of the file's Vercel jobs: those are the jobs being migrated, removed in the
same write that adds their schedule, so no job is ever in both. Every other byte of vercel.json
is kept (the span-preserving writer of vercel_json.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ConfigError
from ...plan import FieldChange
from .crons import VercelChange, read_doc
from .json_file import drop_items, remove_member, render_new, set_member, splice
from .model import vercel_file

KEY = "schedules"
MIGRATED = "crons "  # the key prefix of a `crons` entry being migrated


def shape(job) -> dict:
    entry = {"schedule": job.schedule, "path": job.path, "requestMethod": "GET",
             "timezone": job.timezone or "UTC"}
    if job.spec.jitter:
        entry["jitter"] = job.spec.jitter
    return entry


def desired(config) -> dict[str, dict]:
    return {j.name: shape(j) for j in config.jobs_for("vercel") if j.enabled}


def owned(entry) -> bool:
    return isinstance(entry, dict) and "path" in entry and not (
        {"function", "topic", "entrypoint"} & set(entry))


@dataclass(frozen=True)
class SchedulesChange(VercelChange):
    old_schedules: dict = field(default_factory=dict)
    new_schedules: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.old_crons != self.new_crons or self.old_schedules != self.new_schedules


@dataclass(frozen=True)
class ScheduleSpec:
    key: str  # the schedule name, or "crons <path>" for a Cron Job being migrated
    path: str
    schedule: str
    timezone: str = "UTC"
    jitter: int | None = None
    method: str = "GET"
    moved_to: str | None = None  # a crons entry: what the plan says of its removal


def _old(config) -> tuple[Path, str | None, list, dict]:
    path = vercel_file(config)
    text, doc = read_doc(path)
    doc = doc or {}
    old = doc.get(KEY) or {}
    if isinstance(old, list):
        raise ConfigError(
            f"{path}: 'schedules' is an array (vercel CLI 64's schema); cronctl writes the "
            "object keyed by name that Vercel's docs show",
            hint="convert it to {\"<name>\": {...}} by hand (the file was left untouched)")
    if not isinstance(old, dict):
        raise ConfigError(f"{path}: 'schedules' must be an object",
                          hint="fix it by hand (the file was left untouched)")
    return path, text, list(doc.get("crons") or []), old


def _merge(old: dict, want: dict, path: Path) -> dict:
    """The old order kept: owned entries replaced or dropped, new ones appended."""
    for name in want:
        if name in old and not owned(old[name]):
            raise ConfigError(f"{path}: schedule {name!r} targets a function or topic; "
                              f"cronctl would overwrite it with job {name!r}",
                              hint="rename the job (or that schedule)")
    out = {k: want.get(k, v) for k, v in old.items() if k in want or not owned(v)}
    out.update({k: v for k, v in want.items() if k not in out})
    return out


def build(path: Path, text: str | None, old_crons: list, old: dict, new_crons: list,
          new: dict) -> SchedulesChange:
    if text is None:
        new_text = render_new(new, KEY) if new else ""
        return SchedulesChange(path, None, new_text, None if new else [], new_crons, old, new)
    out = text
    if new != old and not old:
        out = splice(out, new, KEY)
    elif new != old:  # entry by entry: every entry cronctl does not change keeps its bytes
        for name in [k for k in old if k not in new]:
            out = set_member(out, KEY, name, None)
        for name, value in new.items():
            if old.get(name) != value:
                out = set_member(out, KEY, name, value)
    if new_crons != old_crons:
        gone = [i for i, c in enumerate(old_crons) if c not in new_crons]
        out = drop_items(out, "crons", gone) if new_crons else remove_member(out, "crons")
    return SchedulesChange(path, text, out, old_crons, new_crons, old, new)


def plan(config) -> SchedulesChange:
    path, text, old_crons, old = _old(config)
    jobs_paths = {j.path for j in config.jobs_for("vercel")}
    new_crons = [c for c in old_crons if not (isinstance(c, dict) and c.get("path") in jobs_paths)]
    return build(path, text, old_crons, old, new_crons, _merge(old, desired(config), path))


def back_to_crons(config, path: Path, text: str, doc: dict, crons: list
                  ) -> SchedulesChange | None:
    """vercel.output set back to crons: the schedules cronctl wrote for the file's jobs are
    removed in the write that puts their crons back (never both); None when there are none."""
    old = doc.get(KEY)
    if not isinstance(old, dict):
        return None
    names = {j.name for j in config.jobs_for("vercel")}
    gone = [k for k, v in old.items() if k in names and owned(v)]
    if not gone:
        return None
    new = {k: v for k, v in old.items() if k not in gone}
    out = text
    if new:
        for name in gone:
            out = set_member(out, KEY, name, None)
    else:
        out = remove_member(out, KEY)
    old_crons = doc.get("crons")
    if old_crons != crons:
        out = splice(out, crons) if crons or old_crons is not None else out
    return SchedulesChange(path, text, out, old_crons if old_crons is not None else [], crons,
                           old, new)


def without(change: SchedulesChange, gone: set[str]) -> SchedulesChange:
    """`cleanup`: only these deletes (schedule names, or migrated crons keys) applied."""
    schedules = {k: v for k, v in change.old_schedules.items() if k not in gone}
    crons = [c for c in (change.old_crons or [])
             if not (isinstance(c, dict) and MIGRATED + str(c.get("path")) in gone)]
    return build(change.path, change.old_text, change.old_crons or [], change.old_schedules,
                 crons, schedules)


def desired_specs(config) -> list[ScheduleSpec]:
    return [_spec(name, e) for name, e in desired(config).items()]


def live_specs(config, change: SchedulesChange) -> list[ScheduleSpec]:
    specs = [_spec(name, e) for name, e in change.old_schedules.items() if owned(e)]
    by_path = {j.path: j for j in config.jobs_for("vercel")}
    for c in change.old_crons or []:
        job = by_path.get(c.get("path")) if isinstance(c, dict) else None
        if job is not None:
            moved = (f"moves to schedules.{job.name}" if job.enabled and job.name in
                     change.new_schedules else f"{job.name} is enabled: false in the file")
            specs.append(ScheduleSpec(MIGRATED + str(c["path"]), str(c["path"]),
                                      str(c.get("schedule", "")), moved_to=moved))
    return specs


def _spec(name: str, e: dict) -> ScheduleSpec:
    return ScheduleSpec(name, str(e.get("path", "")), str(e.get("schedule", "")),
                        str(e.get("timezone") or "UTC"), e.get("jitter"),
                        str(e.get("requestMethod") or "GET"))


def differences(live: ScheduleSpec, want: ScheduleSpec) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(f, getattr(live, f), getattr(want, f))
                 for f in ("schedule", "path", "timezone", "jitter", "method")
                 if getattr(live, f) != getattr(want, f))


def detail(spec: ScheduleSpec) -> tuple[str, ...]:
    if spec.key.startswith(MIGRATED):
        return (f"GET {spec.path}", f"cron: {spec.schedule} (UTC)", "vercel.json crons entry")
    lines = [f"{spec.method} {spec.path}", f"cron: {spec.schedule} ({spec.timezone})"]
    if spec.jitter:
        lines.append(f"jitter: {spec.jitter} min")
    return tuple(lines)
