"""The Target interface (octoDNS's BaseProvider): where a job runs, how its live state is read,
how a plan is made and applied. Each target owns its normal form, its ownership rule and its
costs; the engine drives them all the same way.

    desired()  -> the specs of its jobs, in its normal form
    populate() -> the live specs (a file's contents, or one API listing)
    plan(desired, live) -> Plan: pure, Create/Update/Delete/Pause/Resume with field differences
    apply(plan) -> ApplyResult
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import UsageError
from ..plan import Action, Change, FieldChange, Plan, diff

OnDone = Callable[[Change, str | None], None]


@dataclass
class Failure:
    change: Change
    message: str


@dataclass
class ApplyResult:
    done: list[Change] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    requests: int = 0
    wrote: str | None = None  # the file a file target wrote


@dataclass
class Check:
    """One row of `cronctl probe`."""

    name: str
    status: str  # ok | warn | fail
    detail: str
    hint: str | None = None


@dataclass(frozen=True)
class TriggerResult:
    """`cronctl trigger`: what ran, as JSON facts and one line for a person."""

    facts: dict[str, Any]
    text: str
    ok: bool = True


class Target:
    """One place jobs run. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]  # vercel | qstash | kubernetes
    title: ClassVar[str]  # as shown to a person
    noun: ClassVar[str] = "schedules"  # what it manages, plural
    is_file: ClassVar[bool] = False  # True: populate reads and apply writes a file
    keeps_history: ClassVar[bool] = False  # True: `cronctl stats` reads its deliveries

    def __init__(self, config, state=None) -> None:
        self.config = config
        self.state = state
        self.requests = 0  # requests made so far (populate included)

    def now(self):
        """Now for next runs: the command's clock (a frozen `cronctl dev` clock, or the wall)."""
        from datetime import UTC, datetime

        return self.state.now() if hasattr(self.state, "now") else datetime.now(UTC)

    # -- what the engine calls -------------------------------------------------------------
    @property
    def jobs(self) -> list:
        return self.config.jobs_for(self.name)

    def active(self, *, explicit: bool = False) -> bool:
        """Whether the engine plans this target at all."""
        return bool(self.jobs) or explicit

    def skip_reason(self) -> str | None:
        """A note when the target cannot be asked but need not be (e.g. no token, no jobs)."""
        return None

    def env_needed(self) -> tuple[str, ...]:
        return (self.name,)

    def desired(self) -> list:
        raise NotImplementedError

    def populate(self) -> list:
        raise NotImplementedError

    def plan(self, desired: list, live: list, *, prune: bool = True, only_delete: bool = False,
             adopt: bool = False) -> Plan:
        plan = Plan(self.config.project, target=self.name, title=self.title, noun=self.noun)
        return diff(self, plan, desired, live, prune=prune, only_delete=only_delete,
                    adopt=adopt)

    def apply(self, plan: Plan, *, concurrency: int | None = None,
              on_done: OnDone | None = None
              ) -> ApplyResult:
        raise NotImplementedError

    def count_line(self, plan: Plan) -> str:
        """What a written file holds, e.g. "2 crons"."""
        n = len(plan.changes) + len(plan.unchanged) - plan.count("delete")
        return f"{n} {self.noun if n != 1 else self.noun.rstrip('s')}"

    # -- the rules `plan.diff()` asks for (PlanRules) --------------------------------------
    def key(self, spec: Any) -> str:
        return spec.key

    def owns(self, key: str) -> bool:
        return True

    def job_name(self, key: str) -> str:
        return key

    def paused(self, spec: Any) -> bool:
        return bool(getattr(spec, "paused", False))

    def differences(self, live: Any, desired: Any) -> tuple[FieldChange, ...]:
        raise NotImplementedError

    def adopt_key(self, spec: Any) -> Hashable | None:
        return None

    def cost(self, action: Action, desired: Any, live: Any) -> int:
        return 0 if self.is_file else 1

    def detail(self, spec: Any) -> tuple[str, ...]:
        return ()

    def renamed_from(self, spec: Any) -> str | None:
        """The key its job had before a `renamed_from:` rename (None: not renamed, or the
        target keys items by something a rename does not change)."""
        if not hasattr(self, "_renames"):
            self._renames = {j.name: j.renamed_from for j in getattr(self.config, "jobs", ())
                             if getattr(j, "renamed_from", None)}
        old = self._renames.get(self.job_name(self.key(spec)))
        return self.key_for(old) if old else None

    def key_for(self, job_name: str) -> str | None:
        """The key an item of this job name has (None: keys are not job names)."""
        return job_name

    # -- operations on one job: targets that cannot do one say why -------------------------
    def pause(self, job, *, paused: bool) -> None:
        raise UsageError(
            f"{job.name!r} runs on {self.title}, which has no pause of its own",
            hint=f"set enabled: {'false' if paused else 'true'} in schedules.yaml and run "
            "'cronctl schedule'")

    def can_trigger(self, job) -> None:
        """Raise (before anyone is asked to confirm) when this target cannot run the job now."""
        if type(self).trigger is Target.trigger:
            self.trigger(job)

    def trigger(self, job) -> TriggerResult:
        raise UsageError(f"{job.name!r} runs on {self.title}; cronctl cannot run it now")

    def probe(self) -> list[Check]:
        """`cronctl probe`: can the target be reached, and does it match the file?"""
        return []

    def live_rows(self, plan: Plan, live: list) -> list[dict]:
        """`cronctl list`: one row per job and per orphaned or unmanaged live item."""
        return []

    def stats_jobs(self, job=None) -> list:
        raise UsageError(f"{job.name if job else 'this target'!r}: {self.title} keeps its own "
                         "run history; cronctl stats reads QStash's")
