"""The Target interface (octoDNS's BaseProvider): where a job runs, how its live state is read,
how a plan is made and applied. Each target owns its normal form, its ownership rule and its
costs; the engine drives them all the same way.

    desired()  -> the specs of its jobs, in its normal form
    populate() -> the live specs (a file's contents, or one API listing)
    plan(desired, live) -> Plan: pure, Create/Update/Delete/Pause/Resume with field differences
    apply(plan) -> ApplyResult    (a template: targets implement `_apply`)

Beyond that, capabilities (capabilities.py): pausable, triggerable, run history, dead
letters, stats, import. A target without one refuses in one place (`lacks`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import UsageError
from ..plan import Action, Change, FieldChange, Plan, diff
from .capabilities import (
    Capability,
    DeadLetters,
    Importable,
    Imported,
    Pausable,
    RunHistory,
    Stats,
    Triggerable,
)

OnDone = Callable[[Change, str | None], None]


def now_ms(state) -> int:
    """Now, in ms: the command's clock when it has one (a frozen `cronctl dev`), else the wall."""
    import time

    now = getattr(state, "now", None)
    return int((now().timestamp() if callable(now) else time.time()) * 1000)


def poll_interval(default: float) -> float:
    """Seconds between polls of a provider (`CRONCTL_POLL_INTERVAL` overrides, for tests)."""
    from ..environment import current

    value = current().tuning.poll_interval
    return max(0.01, value) if value else default


def list_status(change: Change | None) -> tuple[str, list[str]]:
    """A `cronctl list` row's status from its job's change in the plan, and what differs. A
    job paused live (by hand: `cronctl pause`, the dashboard) while the file says enabled is
    `paused`, not `drifted`: the plan would resume it."""
    if change is None:
        return "in sync", []
    if change.action == "resume":
        return "paused", ["the file says enabled"]
    if change.action == "pause":
        return "drifted", ["the file says enabled: false"]
    if change.action == "update":
        return "drifted", [fc.name for fc in change.fields]
    return {"create": "missing", "rename": "renamed"}.get(change.action, "in sync"), []


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
    run_id: str | None = None  # what `wait` follows (e.g. a QStash message ID)


RUN_STATES = ("delivered", "failed", "in-flight", "cancelled")


@dataclass
class Run:
    """One run of a job: every attempt of one delivery, as `cronctl logs` shows it."""

    job: str
    run_id: str
    due: str | None  # ISO times (UTC)
    started: str | None  # the first attempt
    started_by: str  # schedule | manual | exec (the runner's)
    state: str  # one of RUN_STATES
    attempts: int = 0
    status: int | None = None  # HTTP status of the last attempt
    duration_ms: int | None = None  # of the last attempt
    error: str | None = None  # for a failure: what went wrong (a timeout, a refused connection)
    response: str | None = None  # for a failure: the start of the last response body
    sort_ms: int = field(default=0, compare=False, repr=False)  # newest first

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "sort_ms"}

    @property
    def problem(self) -> str | None:
        """The error and the start of the response, as one line for a person."""
        return " | ".join(x for x in (self.error, self.response) if x) or None


@dataclass
class DeadLetter:
    """A message QStash gave up on (its dead-letter queue), as `cronctl dlq` shows it."""

    dlq_id: str
    job: str
    message_id: str | None
    failed_at: str | None
    started_by: str
    status: int | None
    body: str | None  # the start of the last response body

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Target:
    """One place jobs run. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]  # vercel | qstash | kubernetes
    title: ClassVar[str]  # as shown to a person
    noun: ClassVar[str] = "schedules"  # what it manages, plural
    is_file: ClassVar[bool] = False  # True: populate reads and apply writes a file
    generated_by_default: ClassVar[bool] = False  # `generate` writes its file with no jobs

    def __init__(self, config, state=None) -> None:
        self.config = config
        self.state = state
        self.requests = 0  # requests made so far (populate included)

    def tell(self, text: str) -> None:
        """A note or warning for the person running the command: through the command's
        callback (`state.tell`), never printed by the target itself."""
        tell = getattr(self.state, "tell", None)
        if tell is not None:
            tell(text)

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
              on_done: OnDone | None = None) -> ApplyResult:
        """Apply a plan (the template: `_apply` does the target's part). A file is written
        whole, so with it every change of the plan is done; requests are counted here."""
        result = self._apply(plan, concurrency=concurrency, on_done=on_done)
        if self.is_file:
            for change in plan.changes:
                result.done.append(change)
                if on_done:
                    on_done(change, None)
        self.requests += result.requests
        return result

    def _apply(self, plan: Plan, *, concurrency: int | None, on_done: OnDone | None
               ) -> ApplyResult:
        """Make the plan's changes: write the file (`wrote`), or call the service (`done`,
        `failed`, `requests`; `on_done` after each change)."""
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

    # -- capabilities (capabilities.py): a target without one answers in one place ----------
    def lacks(self, capability: type[Capability], job=None) -> UsageError:
        """The one refusal: "cronctl cannot pause or resume Vercel jobs", with the target's
        own way instead (`instead()`) as the hint (exit 2)."""
        from . import plugin

        try:
            title = plugin(self.name).title
        except KeyError:
            title = self.title
        what = "cronctl cannot " + capability.does.format(title)
        if job is not None:
            what = f"{job.name!r} runs on {title}; {what}"
        return UsageError(what, hint=self.instead(capability, job) or capability.hint)

    def instead(self, capability: type[Capability], job=None) -> str | None:
        """What to do instead of a capability this target lacks (None: the generic hint)."""
        return None

    # The operations keep their names here: without the capability they give the refusal.
    def pause(self, job, *, paused: bool) -> None:
        raise self.lacks(Pausable, job)

    def can_trigger(self, job) -> None:
        """Raise (before anyone is asked to confirm) when this target cannot run the job now."""
        if not isinstance(self, Triggerable):
            raise self.lacks(Triggerable, job)

    def trigger(self, job) -> TriggerResult:
        raise self.lacks(Triggerable, job)

    def trigger_summary(self, job) -> str:
        return f"run {job.name} on {self.title} now"

    def wait(self, job, result: TriggerResult, *, timeout: float) -> Run | None:
        return None

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list[Run]:
        raise self.lacks(RunHistory)

    def dead_letters(self, jobs: list) -> list[DeadLetter]:
        raise self.lacks(DeadLetters)

    def retry_dead(self, letters: list[DeadLetter]) -> list[str]:
        raise self.lacks(DeadLetters)

    def delete_dead(self, letters: list[DeadLetter]) -> int:
        raise self.lacks(DeadLetters)

    def stats_jobs(self, job=None) -> list:
        raise self.lacks(Stats, job)

    def import_jobs(self, source: str | None, taken: set[str], project: str) -> Imported:
        raise self.lacks(Importable)

    # -- what every target answers (empty when it has nothing to tell) ---------------------
    def probe(self) -> list[Check]:
        """`cronctl probe`: can the target be reached, and does it match the file?"""
        return []

    def delivery_health(self, *, fail_on: int | None = None) -> list[Check]:
        """`cronctl probe`: jobs failing in a row or with dead letters (warn; fail at fail_on)."""
        return []

    def live_rows(self, plan: Plan, live: list) -> list[dict]:
        """`cronctl list`: one row per job and per orphaned or unmanaged live item."""
        return []

    def job_row(self, job, change: Change | None, *, where: str, **facts: Any) -> dict:
        """A `cronctl list` row of one file job: its status from the plan, its next run in its
        dialect; `facts` (last run, paused ...) replace the defaults of a target that knows them."""
        from . import dialect_of

        status, drift = list_status(change)
        nxt = dialect_of(self.config, job).next_runs(job.schedule, job.timezone, 1,
                                                     self.now()) if job.enabled else []
        row = {"name": job.name, "tier": job.tier, "target": self.name,
               "schedule": job.schedule, "timezone": job.timezone, "schedule_id": None,
               "next_run": nxt[0].isoformat() if nxt else None, "last_run": None,
               "last_states": [], "paused": not job.enabled, "status": status, "where": where}
        row.update(facts)
        if drift:
            row["drift"] = drift
        return row

    def orphan_rows(self, plan: Plan, *, where: str,
                    schedule: Callable[[Any], str], timezone: Callable[[Any], str]) -> list[dict]:
        """`cronctl list` rows of the live items the plan deletes (no job of the file)."""
        return [{"name": c.job, "tier": None, "target": self.name,
                 "schedule": schedule(c.live), "timezone": timezone(c.live),
                 "schedule_id": None, "next_run": None, "last_run": None, "last_states": [],
                 "paused": c.live.paused, "status": "orphaned", "where": where}
                for c in plan.changes if c.action == "delete"]
