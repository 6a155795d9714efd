"""The plan: what would change on one target. Pure data, a pure `diff()` and the safety check;
no I/O and no provider here (octoDNS's Plan).

A target hands `diff()` its rules (`PlanRules`): how to name a spec, which live specs it owns,
which fields differ, what a change costs. Everything it does not own is unmanaged: counted and
shown, never changed or deleted.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

Action = Literal["create", "update", "delete", "pause", "resume", "rename"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "pause", "resume", "rename")
SYMBOLS = {"create": "+", "update": "~", "delete": "-", "pause": "‖", "resume": "▶",
           "rename": "→"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object
    secret: bool = False  # a mapping whose values are never shown (headers): names only


@dataclass(frozen=True)
class Change:
    action: Action
    job: str  # the job name (for deletes: the key without the target's prefix)
    key: str  # the target's identifier: a schedule ID, a cron path, a CronJob name
    desired: Any = None
    live: Any = None
    fields: tuple[FieldChange, ...] = ()
    adopted_by: str | None = None  # a delete of an unmanaged item that a job replaces
    cost: int = 1  # requests applying it costs (0 for a file target: one write for all)
    detail: tuple[str, ...] = ()  # what a create makes, in the target's words
    renamed_from: str | None = None  # a rename: the old job name (`live` is the old item)

    @property
    def requests(self) -> int:
        return self.cost


@dataclass(frozen=True)
class Artifact:
    """A file a file target writes (vercel.json, the Kubernetes manifest, one workflow per job).
    A target may write several: `Plan.artifacts`."""

    path: Path
    old_text: str | None  # None: the file does not exist yet
    new_text: str | None  # None: it stays absent (or, when it exists, it is deleted)
    name: str | None = None  # as shown, e.g. ".github/workflows/cron-a.yml" (default: its name)
    jobs: tuple[str, ...] | None = None  # the jobs it alone holds (None: written whole, for all)

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    @property
    def shown(self) -> str:
        return self.name or self.path.name

    @property
    def deleted(self) -> bool:
        return self.old_text is not None and self.new_text is None

    def unified_diff(self) -> str:
        if not self.changed:
            return ""
        old = (self.old_text or "").lstrip("\ufeff").replace("\r\n", "\n")
        new = (self.new_text or "").lstrip("\ufeff").replace("\r\n", "\n")
        return "".join(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            f"a/{self.shown}" if self.old_text is not None else "/dev/null",
            f"b/{self.shown}" if self.new_text is not None else "/dev/null"))


@dataclass
class Plan:
    project: str
    target: str = ""  # vercel | qstash | kubernetes
    title: str = ""  # as shown: "QStash", "vercel.json", "Kubernetes"
    noun: str = "schedules"
    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmanaged: list[Any] = field(default_factory=list)
    managed_live: int = 0
    kept: list[str] = field(default_factory=list)  # orphans kept by --no-prune
    artifacts: list[Artifact] = field(default_factory=list)  # a file target's files
    extra: dict[str, Any] = field(default_factory=dict)  # target-specific JSON facts
    skipped: str | None = None  # why the target was not asked (e.g. no token, no jobs)
    warnings: list[str] = field(default_factory=list)  # the provider's limits (limits.py)

    @property
    def artifact(self) -> Artifact | None:
        """The file of a one-file target (the first, when a target writes several)."""
        return self.artifacts[0] if self.artifacts else None

    @artifact.setter
    def artifact(self, value: Artifact | None) -> None:
        self.artifacts = [] if value is None else [value]

    @property
    def changed_artifacts(self) -> list[Artifact]:
        return [a for a in self.artifacts if a.changed]

    def files_text(self, *, new: bool) -> str | None:
        """Every file's text, one string (for a saved plan's checksum); None: no files."""
        if len(self.artifacts) <= 1:  # one file: its text, as a one-file target always had
            art = self.artifact
            return art and (art.new_text if new else art.old_text)
        return "".join(f"{a.shown}\0{(a.new_text if new else a.old_text) or chr(1)}\0"
                       for a in self.artifacts)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or bool(self.changed_artifacts)

    def summary(self) -> str:
        parts = [
            f"{self.count('create')} to create",
            f"{self.count('update')} to update",
            f"{self.count('delete')} to delete",
        ]
        for action in ("pause", "resume", "rename"):
            if self.count(action):
                parts.append(f"{self.count(action)} to {action}")
        parts.append(f"{len(self.unchanged)} unchanged")
        return "Plan: " + ", ".join(parts) + "."

    @property
    def requests(self) -> int:
        """Requests applying the plan costs (the listing already made is not counted)."""
        return sum(c.cost for c in self.changes)


class PlanRules(Protocol):
    """What `diff()` needs to know about a target's specs."""

    def key(self, spec: Any) -> str: ...
    def owns(self, key: str) -> bool: ...
    def job_name(self, key: str) -> str: ...
    def paused(self, spec: Any) -> bool: ...
    def differences(self, live: Any, desired: Any) -> tuple[FieldChange, ...]: ...
    def adopt_key(self, spec: Any) -> Hashable | None: ...
    def cost(self, action: Action, desired: Any, live: Any) -> int: ...
    def detail(self, spec: Any) -> tuple[str, ...]: ...
    def renamed_from(self, spec: Any) -> str | None: ...  # the old item's key, if renamed


def diff(rules: PlanRules, plan: Plan, desired: list, live: list, *, prune: bool = True,
         only_delete: bool = False, adopt: bool = False) -> Plan:
    """Fill `plan` with what turns `live` into `desired`. `only_delete` plans deletes of
    orphans alone; `adopt` also deletes each unmanaged item that a job replaces."""
    managed = {rules.key(s): s for s in live if rules.owns(rules.key(s))}
    plan.unmanaged = [s for s in live if not rules.owns(rules.key(s))]
    if adopt:
        by_match = {rules.adopt_key(d): d for d in desired}
        for spec in list(plan.unmanaged):
            match = rules.adopt_key(spec)
            job = by_match.get(match) if match is not None else None
            if job is not None:
                plan.unmanaged.remove(spec)
                key = rules.key(spec)
                plan.changes.append(Change("delete", key, key, live=spec,
                                           adopted_by=rules.job_name(rules.key(job)),
                                           cost=rules.cost("delete", None, spec)))
    plan.managed_live = len(managed)
    wanted = {rules.key(d) for d in desired}
    if not only_delete:
        for d in desired:
            key = rules.key(d)
            name = rules.job_name(key)
            current = managed.get(key)
            old_key = rules.renamed_from(d) if current is None else None
            if old_key is not None and old_key in managed and old_key not in wanted:
                # `renamed_from`: the old item becomes this one (its history stays with it).
                old = managed.pop(old_key)
                plan.changes.append(Change(
                    "rename", name, key, desired=d, live=old,
                    fields=tuple(f for f in rules.differences(old, d) if f.name != "key"),
                    cost=rules.cost("rename", d, old), detail=rules.detail(d),
                    renamed_from=rules.job_name(old_key)))
                continue
            if current is None:
                plan.changes.append(Change("create", name, key, desired=d,
                                           cost=rules.cost("create", d, None),
                                           detail=rules.detail(d)))
                continue
            fields = rules.differences(current, d)
            action: Action | None = None
            if fields:
                action = "update"
            elif rules.paused(current) != rules.paused(d):
                action = "pause" if rules.paused(d) else "resume"
            if action is None:
                plan.unchanged.append(name)
            else:
                plan.changes.append(Change(action, name, key, desired=d, live=current,
                                           fields=fields, cost=rules.cost(action, d, current)))
    for key, current in managed.items():
        if key in wanted:
            continue
        name = rules.job_name(key)
        if prune:
            plan.changes.append(Change("delete", name, key, live=current,
                                       cost=rules.cost("delete", None, current)))
        else:
            plan.kept.append(name)
    return plan


@dataclass(frozen=True)
class Thresholds:
    update: float = 0.30
    delete: float = 0.30
    min_existing: int = 10


@dataclass(frozen=True)
class SafetyVerdict:
    ok: bool
    touched: int
    managed: int
    message: str = ""


# What a plan does to the jobs that run now, by the limit it counts toward: a job stopped
# (deleted, paused) toward the delete limit, a job replaced (updated, renamed: the old item
# goes, a new one comes) toward the update limit. A create or resume stops nothing.
STOPS: tuple[Action, ...] = ("delete", "pause")
REPLACES: tuple[Action, ...] = ("update", "rename")


def check_safety(plan: Plan, limits: Thresholds | None = None) -> SafetyVerdict:
    """Like octoDNS: refuse when more than the update share of at least `min_existing` managed
    items would be replaced (updated or renamed), or more than the delete share stopped
    (deleted or paused)."""
    limits = limits or Thresholds()
    managed = plan.managed_live
    touched = sum(plan.count(a) for a in STOPS + REPLACES)
    if managed < limits.min_existing:
        return SafetyVerdict(True, touched, managed)
    what = plan.title or plan.target or "the target"
    for verb, actions, share, name in (("stops", STOPS, limits.delete, "delete"),
                                       ("replaces", REPLACES, limits.update, "update")):
        counts = {a: plan.count(a) for a in actions if plan.count(a)}
        n = sum(counts.values())
        if n > share * managed:
            if len(counts) == 1:  # "the plan pauses 10 of 10 managed schedules (100%, ..."
                verb, how = f"{next(iter(counts))}s", ""
            else:
                how = " + ".join(f"{c} {a}" for a, c in counts.items()) + "; "
            return SafetyVerdict(
                False, touched, managed,
                f"{what}: the plan {verb} {n} of {managed} managed {plan.noun} ({how}"
                f"{n / managed:.0%}, over the {share:.0%} {name} limit: "
                f"safety.{name}_threshold)")
    return SafetyVerdict(True, touched, managed)
    what = plan.title or plan.target or "the target"
    for action, share in (("update", limits.update), ("delete", limits.delete)):
        n = plan.count(action)  # type: ignore[arg-type]
        if n > share * managed:
            return SafetyVerdict(
                False, touched, managed,
                f"{what}: the plan {action}s {n} of {managed} managed {plan.noun} "
                f"({n / managed:.0%}, over the {share:.0%} {action} limit)")
    return SafetyVerdict(True, touched, managed)
