"""The vercel target: vercel.json's `crons` array compiled from infrastructure jobs.

Ownership: cronctl owns the `crons` array (and nothing else in the file). Costs: populate reads
the file; applying any plan is one atomic write.

Only the value of the top-level `crons` key is ever rewritten: every other byte of the file
(key order, indentation, line endings, a UTF-8 BOM) is kept, by splicing the new array into the
original text rather than re-serialising the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...config import Config
from ...errors import ConfigError
from ...fsutil import write_atomic
from ...plan import Artifact, FieldChange, Plan
from ..base import ApplyResult, Check, OnDone, Target, TriggerResult
from ..capabilities import (
    Importable,
    Imported,
    Liveness,
    Observed,
    Pausable,
    RunHistory,
    Stats,
    Triggerable,
)
from .crons import VercelChange, desired_crons, read_doc
from .json_file import render_new, splice
from .model import settings as vercel_settings
from .model import vercel_file


def plan(config: Config) -> VercelChange:
    from . import schedules as vercel_schedules

    if vercel_settings(config).output == "schedules":
        return vercel_schedules.plan(config)
    path = vercel_file(config)
    crons = desired_crons(config)
    text, doc = read_doc(path)
    if text is None or doc is None:
        # No file and nothing to put in it: leave it absent.
        return VercelChange(path, None, render_new(crons), None if crons else [], crons)
    back = vercel_schedules.back_to_crons(config, path, text, doc, crons)
    if back is not None:  # output went back to crons: the jobs' schedules go in the same write
        return back
    old = doc.get("crons")
    if old == crons or (old is None and not crons):
        return VercelChange(path, text, text, old if old is not None else [], crons)
    return VercelChange(path, text, splice(text, crons), old, crons)


def apply(change: VercelChange) -> bool:
    if not change.changed:
        return False
    # Only over the bytes the plan was made from: a change made since is never overwritten.
    old = None if change.old_text is None else change.old_text.encode("utf-8")
    write_atomic(change.path, change.new_text.encode("utf-8"), expected=old)
    return True


@dataclass(frozen=True)
class CronSpec:
    key: str  # the path (with "#2", "#3" for further crons on the same path)
    path: str
    schedule: str
    job: str | None = None


def _specs(crons: list, names: dict[str, str] | None = None) -> list[CronSpec]:
    seen: dict[str, int] = {}
    out = []
    for entry in crons:
        if not isinstance(entry, dict):
            continue
        path, schedule = str(entry.get("path", "")), str(entry.get("schedule", ""))
        seen[path] = seen.get(path, 0) + 1
        key = path if seen[path] == 1 else f"{path}#{seen[path]}"
        out.append(CronSpec(key, path, schedule, (names or {}).get(key)))
    return out


class VercelTarget(Triggerable, RunHistory, Importable, Observed, Target):
    name = "vercel"
    title = "vercel.json"
    generated_by_default = True  # vercel.json is the default file of `generate`
    noun = "crons"
    is_file = True

    def __init__(self, config, state=None) -> None:
        super().__init__(config, state)
        self.change: VercelChange | None = None
        self._names: dict[str, str] = {}
        self.schedules = vercel_settings(config).output == "schedules"
        if self.schedules:
            from . import schedules as vercel_schedules

            self.noun = "schedules"
            self._s = vercel_schedules

    def active(self, *, explicit: bool = False) -> bool:
        # A file left over with crons is planned too (they become deletes).
        return bool(self.jobs) or explicit or vercel_file(self.config).exists()

    def desired(self) -> list:
        if self.schedules:
            return self._s.desired_specs(self.config)
        crons = desired_crons(self.config)
        enabled = [j for j in self.jobs if j.enabled]
        specs = _specs(crons)
        self._names = {s.key: j.name for s, j in zip(specs, enabled, strict=True)}
        return [CronSpec(s.key, s.path, s.schedule, self._names[s.key]) for s in specs]

    def populate(self) -> list:
        self.change = plan(self.config)
        if self.schedules:
            return self._s.live_specs(self.config, self.change)
        return _specs(self.change.old_crons or [])

    def plan(self, desired, live, *, prune=True, only_delete=False, adopt=False) -> Plan:
        result = super().plan(desired, live, prune=prune, only_delete=only_delete, adopt=adopt)
        change = self.change or plan(self.config)
        if only_delete and change.old_text is not None:
            # cleanup: only the deletes; every other cron stays as it is.
            gone = {c.key for c in result.changes if c.action == "delete"}
            kept = [{"path": s.path, "schedule": s.schedule} for s in live if s.key not in gone]
            if self.schedules:
                change = self._s.without(change, gone)
            elif gone:
                change = VercelChange(change.path, change.old_text,
                                      splice(change.old_text, kept), change.old_crons, kept)
            else:
                change = VercelChange(change.path, change.old_text, change.old_text,
                                      change.old_crons, change.old_crons or [])
        new_text = change.new_text if change.changed else change.old_text
        result.artifact = Artifact(change.path, change.old_text, new_text)
        result.extra = {"file": str(change.path), "changed": change.changed,
                        "crons": change.new_crons, "diff": change.unified_diff()}
        if self.schedules:
            result.extra["schedules"] = change.new_schedules
        self.change = change
        return result

    def _apply(self, plan: Plan, *, concurrency: int | None, on_done: OnDone | None
               ) -> ApplyResult:
        result = ApplyResult()
        if self.change is not None and apply(self.change):
            result.wrote = str(self.change.path)
        return result

    def instead(self, capability, job=None) -> str | None:
        if capability is Pausable:
            return "set enabled: false in schedules.yaml and run 'cronctl generate'"
        if capability is Stats:
            return "see Vercel's dashboard: Settings -> Cron Jobs -> View Logs"
        return None

    def import_jobs(self, source: str | None, taken: set[str], project: str) -> Imported:
        """Entries for the crons of a vercel.json (`source`: its path)."""
        from .importer import from_vercel, read_crons

        return Imported(from_vercel(read_crons(Path(source or "vercel.json")), taken))

    def count_line(self, plan: Plan) -> str:
        line = super().count_line(plan)
        moved = sum(1 for c in plan.changes if c.action == "delete"
                    and getattr(c.live, "moved_to", None))
        return line + (f", {moved} moved from crons" if moved else "")

    def job_name(self, key: str) -> str:
        if self.schedules and key.startswith(self._s.MIGRATED):
            path = key[len(self._s.MIGRATED):]
            names = [j.name for j in self.jobs if j.path == path]
            return f"{names[0] if names else path} (crons entry)"
        return self._names.get(key, key)

    def key_for(self, job_name: str) -> None:
        return None  # crons are keyed by path: a renamed job is the same cron

    def differences(self, live, desired) -> tuple[FieldChange, ...]:
        if self.schedules:
            return self._s.differences(live, desired)
        if live.schedule != desired.schedule:
            return (FieldChange("schedule", live.schedule, desired.schedule),)
        return ()

    def detail(self, spec) -> tuple[str, ...]:
        lines = self._s.detail(spec) if self.schedules else (
            f"GET {spec.path}", f"cron: {spec.schedule} (UTC)")
        if vercel_settings(self.config).plan == "hobby":
            lines += ("Hobby plan: once a day, at any minute within the hour",)
        return lines

    def can_trigger(self, job) -> None:
        """Before the confirmation: what Vercel would run (one request), or the app's URL."""
        from . import api as vercel_api
        from . import deployed as vercel_deployed

        api, _ = vercel_api.connect(self.config, tell=self.tell)
        if api is not None and vercel_settings(self.config).output == "crons":
            self._ready = (api, vercel_deployed.runnable(self, job, api))
        else:
            vercel_deployed.direct_url(self, job)

    def trigger(self, job) -> TriggerResult:
        """With VERCEL_TOKEN, Vercel's run endpoint; else Vercel's own request from here:
        GET base_url + path with its cron headers (vercel_deployed.py)."""
        from . import api as vercel_api
        from . import deployed as vercel_deployed

        ready = getattr(self, "_ready", None)
        api = ready[0] if ready else vercel_api.connect(self.config, tell=self.tell)[0]
        if api is not None and vercel_settings(self.config).output == "crons":
            return vercel_deployed.trigger(self, job, api, ready[1] if ready else None)
        return vercel_deployed.trigger_direct(self, job)

    def wait(self, job, result, *, timeout: float):
        """A run now through Vercel: its outcome as `cronctl dev` recorded it (Vercel keeps
        the real ones in the project's logs, which cronctl cannot read: a clear error)."""
        if not result.run_id:
            return None  # the direct GET was the run
        from ...dev.discovery import dev_server
        from .runs import wait_for

        return wait_for(dev_server(self.state), [job], result.run_id, timeout)

    def trigger_summary(self, job) -> str:
        from ...urls import display

        if getattr(self, "_ready", None):  # can_trigger found the deployment (VERCEL_TOKEN)
            return f"ask Vercel to run {job.path} on the production deployment now"
        url = display(f"{self.config.base_url}{job.path}") if self.config.base_url else job.path
        return f"GET {url} now, as Vercel Cron would"

    # -- Observed (cronctl verify): observe.py; Hobby's hour window comes from the dialect ----
    def liveness(self, jobs: list) -> dict[str, Liveness]:
        from .observe import liveness

        return liveness(self, jobs)

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        from .observe import observed

        return observed(self, jobs, since_ms=since_ms, until_ms=until_ms)

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list:
        from ...dev.discovery import dev_server
        from .runs import dev_runs

        self.requests += 1
        return dev_runs(dev_server(self.state), jobs, since_ms=since_ms, until_ms=until_ms,
                        state=state, limit=limit)

    def last_runs(self) -> dict:
        """{job name: its newest run} where `cronctl dev` fired them ({} elsewhere: Vercel's
        own runs need its API)."""
        from ...dev.discovery import dev_server
        from ...errors import CronctlError
        from .runs import dev_runs

        server = dev_server(self.state)
        if server is None or not self.jobs:
            return {}
        self.requests += 1
        try:
            found = dev_runs(server, self.jobs, since_ms=0, until_ms=None, state=None,
                             limit=10_000)
        except CronctlError:
            return {}
        last: dict = {}
        for run in found:  # newest first
            last.setdefault(run.job, run)
        return last

    def probe(self) -> list[Check]:
        try:
            change = plan(self.config)
        except ConfigError as exc:
            return [Check("vercel.json", "fail", exc.message, exc.hint)]
        from . import deployed as vercel_deployed

        if change.changed:
            checks = [Check("vercel.json", "fail", "out of date with schedules.yaml",
                            "run 'cronctl generate' and commit vercel.json")]
        else:
            checks = [Check("vercel.json", "ok", "up to date")]
        return checks + vercel_deployed.probe(self, change.old_crons or [])

    def live_rows(self, plan: Plan, live: list[CronSpec]) -> list[dict]:
        from . import deployed as vercel_deployed

        deployed, why = vercel_deployed.deployed_state(self)
        if why and self.jobs:
            self.tell(f"note: {why}")
        crons = [{"path": s.path, "schedule": s.schedule} for s in live
                 if not s.key.startswith("crons ")]
        return vercel_deployed.rows(self, crons, deployed, self.last_runs())

