"""The plan: what would change on QStash. Pure data and a pure `diff()`; no I/O here.

Ownership: cronctl manages exactly the schedules whose IDs start with `cronctl.<project>.`.
Everything else is unmanaged: counted and shown, never changed or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .config.project import owner_of
from .qstash.spec import ScheduleSpec, differences

Action = Literal["create", "update", "delete", "pause", "resume"]
SYMBOLS = {"create": "+", "update": "~", "delete": "-", "pause": "‖", "resume": "▶"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    action: Action
    job: str  # the job name (for deletes: the ID without the prefix)
    schedule_id: str
    desired: ScheduleSpec | None = None
    live: ScheduleSpec | None = None
    fields: tuple[FieldChange, ...] = ()
    adopted_by: str | None = None  # a delete of an unmanaged schedule that a job replaces

    @property
    def requests(self) -> int:
        """HTTP requests this change costs: the write, plus setting the pause state after it."""
        if self.action in ("create", "update"):
            assert self.desired is not None
            was_paused = self.live.paused if self.live else False
            return 1 + int(self.desired.paused or was_paused)
        return 1


@dataclass
class Plan:
    project: str
    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmanaged: list[ScheduleSpec] = field(default_factory=list)
    managed_live: int = 0
    kept: list[str] = field(default_factory=list)  # orphans kept by --no-prune

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        parts = [
            f"{self.count('create')} to create",
            f"{self.count('update')} to update",
            f"{self.count('delete')} to delete",
        ]
        for action in ("pause", "resume"):
            if self.count(action):
                parts.append(f"{self.count(action)} to {action}")
        parts.append(f"{len(self.unchanged)} unchanged")
        return "Plan: " + ", ".join(parts) + "."

    @property
    def requests(self) -> int:
        """HTTP requests applying the plan costs (the listing already made is not counted)."""
        return sum(c.requests for c in self.changes)


def diff(
    project: str,
    prefix: str,
    desired: list[ScheduleSpec],
    live: list[ScheduleSpec],
    *,
    prune: bool = True,
    only_delete: bool = False,
    adopt: bool = False,
) -> Plan:
    """Compare desired and live schedules. `only_delete` plans deletes of orphans alone;
    `adopt` also deletes each unmanaged schedule that a job replaces (same destination and
    cron, as `cronctl import` writes them)."""
    plan = Plan(project)
    managed = {s.schedule_id: s for s in live if s.schedule_id.startswith(prefix)}
    plan.unmanaged = [s for s in live if not s.schedule_id.startswith(prefix)]
    if adopt:
        by_target = {(d.destination, d.cron, d.timezone): d for d in desired}
        for spec in list(plan.unmanaged):
            if owner_of(spec.schedule_id) is not None:
                continue  # another cronctl project's: never adopted
            job = by_target.get((spec.destination, spec.cron, spec.timezone))
            if job is not None:
                plan.unmanaged.remove(spec)
                name = job.schedule_id[len(prefix):]
                plan.changes.append(Change("delete", spec.schedule_id, spec.schedule_id,
                                           live=spec, adopted_by=name))
    plan.managed_live = len(managed)
    wanted = {d.schedule_id for d in desired}
    if not only_delete:
        for d in desired:
            name = d.schedule_id[len(prefix):]
            current = managed.get(d.schedule_id)
            if current is None:
                plan.changes.append(Change("create", name, d.schedule_id, desired=d))
                continue
            fields = tuple(
                FieldChange(f, getattr(current, f), getattr(d, f))
                for f in differences(current, d)
            )
            if fields:
                plan.changes.append(
                    Change("update", name, d.schedule_id, desired=d, live=current, fields=fields)
                )
            elif current.paused != d.paused:
                action: Action = "pause" if d.paused else "resume"
                plan.changes.append(Change(action, name, d.schedule_id, desired=d, live=current))
            else:
                plan.unchanged.append(name)
    for sid, current in managed.items():
        if sid in wanted:
            continue
        name = sid[len(prefix):]
        if prune:
            plan.changes.append(Change("delete", name, sid, live=current))
        else:
            plan.kept.append(name)
    return plan


@dataclass(frozen=True)
class SafetyVerdict:
    ok: bool
    touched: int
    managed: int
    message: str = ""


def check_safety(plan: Plan, *, max_share: float = 0.30, min_existing: int = 10
                 ) -> SafetyVerdict:
    """Like octoDNS: refuse when more than 30% of at least 10 managed schedules would be
    updated or deleted."""
    touched = plan.count("update") + plan.count("delete")
    managed = plan.managed_live
    if managed >= min_existing and touched > max_share * managed:
        return SafetyVerdict(
            False,
            touched,
            managed,
            f"the plan updates or deletes {touched} of {managed} managed schedules "
            f"({touched / managed:.0%}, over the {max_share:.0%} safety limit)",
        )
    return SafetyVerdict(True, touched, managed)
