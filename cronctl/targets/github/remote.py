"""What the github target does through GitHub's REST API (api.py), with GITHUB_TOKEN: pause
and resume a job's workflow (disable / enable), run it now (workflow_dispatch), read its runs
(`cronctl logs`), and observe its scheduled runs for `cronctl verify`.

GitHub starts a scheduled run late when Actions is under load, and may drop it; a run does not
say which slot it was for. So an observation carries only its start, and `verify` matches it
to the nearest slot before it with a generous tolerance (`tolerance`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from ...errors import ProviderError, UsageError
from ..base import Run, TriggerResult, poll_interval
from ..capabilities import Liveness, Observation, Observed, Pausable, RunHistory, Triggerable
from . import api, files

# GitHub documents no bound: runs are often minutes late at the top of the hour and can be
# dropped. An hour is the lateness after which cronctl calls a slot missed.
LATE = timedelta(minutes=60)
ENDED = {"completed"}


def ms(text: object) -> int | None:
    """GitHub's ISO time (`2026-12-07T23:50:00Z`) in ms since the epoch."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def iso(value_ms: int | None) -> str | None:
    if value_ms is None:
        return None
    return datetime.fromtimestamp(value_ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def outcome(run: dict) -> str:
    """ok | failed | running, from a run's status and conclusion."""
    if run.get("status") not in ENDED:
        return "running"
    return "ok" if run.get("conclusion") in ("success", "skipped", "neutral") else "failed"


def created_range(since_ms: int, until_ms: int | None) -> str:
    """GitHub's search syntax for `created`: a date-time range."""
    def stamp(value: int) -> str:
        return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return f"{stamp(since_ms)}..{stamp(until_ms)}" if until_ms else f">={stamp(since_ms)}"


class GitHubRemote(Pausable, Triggerable, RunHistory, Observed):
    """The API side of GitHubTarget (target.py): files.py knows the files, this the runs."""

    tolerance = LATE

    def _api(self) -> api.GitHubApi:
        client, why = api.connect(self.config, tell=self.tell)
        if client is None:
            raise UsageError(f"cannot reach GitHub: {why}",
                             hint="export GITHUB_TOKEN (a token with Actions read and write "
                             "on the repository) and set github.repository")
        return client

    def _count(self, client: api.GitHubApi) -> None:
        self.requests += client.requests
        client.requests = 0

    def _file(self, job_name: str) -> str:
        return files.file_name(self.config, job_name)

    # -- pause, trigger ------------------------------------------------------------------------
    def pause(self, job, *, paused: bool) -> None:
        client = self._api()
        try:
            client.set_enabled(self._file(job.name), not paused)
        finally:
            self._count(client)

    def can_trigger(self, job) -> None:
        self._api()

    def trigger_summary(self, job) -> str:
        return f"dispatch {self._file(job.name)} on GitHub Actions now (workflow_dispatch)"

    def trigger(self, job) -> TriggerResult:
        client = self._api()
        file = self._file(job.name)
        try:
            ref = client.default_branch()
            details = client.dispatch(file, ref)
        finally:
            self._count(client)
        run_id = details.get("workflow_run_id") if details else None
        facts = {"job": job.name, "target": self.name, "workflow": file, "ref": ref,
                 "run_id": run_id, "html_url": details.get("html_url") if details else None}
        text = f"dispatched {file} on {ref}" + (f": run {run_id}" if run_id else "")
        if details and details.get("html_url"):
            text += f"\n{details['html_url']}"
        return TriggerResult(facts, text, run_id=str(run_id) if run_id else None)

    def wait(self, job, result: TriggerResult, *, timeout: float) -> Run | None:
        if not result.run_id:
            return None
        client = self._api()
        deadline = time.monotonic() + timeout
        try:
            while True:
                data = client.run(result.run_id)
                if data.get("status") in ENDED or time.monotonic() >= deadline:
                    return self._run(job.name, data)
                time.sleep(poll_interval(5.0))
        finally:
            self._count(client)

    # -- runs ----------------------------------------------------------------------------------
    def _run(self, job_name: str, data: dict) -> Run:
        started = ms(data.get("run_started_at")) or ms(data.get("created_at"))
        done = outcome(data)
        state = {"ok": "delivered", "failed": "failed", "running": "in-flight"}[done]
        if data.get("conclusion") == "cancelled":
            state = "cancelled"
        ended = ms(data.get("updated_at")) if done != "running" else None
        return Run(job=job_name, run_id=str(data.get("id")), due=None, started=iso(started),
                   started_by="schedule" if data.get("event") == "schedule" else "manual",
                   state=state, attempts=int(data.get("run_attempt") or 1),
                   duration_ms=(ended - started) if ended and started else None,
                   error=None if done != "failed" else f"conclusion: {data.get('conclusion')}",
                   sort_ms=started or 0)

    def runs(self, jobs: list, *, since_ms: int, until_ms: int | None = None,
             state: str | None = None, limit: int = 50) -> list[Run]:
        if not jobs:
            return []
        client = self._api()
        out: list[Run] = []
        try:
            for job in jobs:
                for data in client.runs(self._file(job.name),
                                        created=created_range(since_ms, until_ms),
                                        limit=limit):
                    out.append(self._run(job.name, data))
        finally:
            self._count(client)
        out.sort(key=lambda r: (r.sort_ms, r.run_id), reverse=True)
        if state:
            out = [r for r in out if r.state == state]
        return out[:limit]

    # -- verify --------------------------------------------------------------------------------
    def liveness(self, jobs: list) -> dict[str, Liveness]:
        client = self._api()
        out = {}
        try:
            for job in jobs:
                try:
                    data = client.workflow(self._file(job.name))
                except ProviderError as exc:
                    if exc.status != 404:
                        raise
                    out[job.name] = Liveness(job.name, None, present=False,
                                             drift="not on GitHub (is the workflow pushed to "
                                             "the default branch?)")
                    continue
                state = data.get("state")
                paused = state != "active"
                drift = None
                if paused and job.enabled:
                    drift = {"disabled_inactivity": "disabled by GitHub after 60 days without "
                             "activity", "disabled_manually": "disabled by hand"}.get(
                                 str(state), f"workflow state {state}")
                out[job.name] = Liveness(job.name, ms(data.get("created_at")), paused=paused,
                                         drift=drift)
        finally:
            self._count(client)
        return out

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        client = self._api()
        found: list[Observation] = []
        try:
            for job in jobs:
                for data in client.runs(self._file(job.name), event="schedule",
                                        created=created_range(since_ms, until_ms)):
                    done = outcome(data)
                    found.append(Observation(
                        job=job.name, run_id=str(data.get("id")), slot_ms=None,
                        started_ms=ms(data.get("run_started_at")) or ms(data.get("created_at")),
                        ended_ms=ms(data.get("updated_at")) if done != "running" else None,
                        outcome=done, started_by="schedule", source="GitHub Actions runs"))
            return found, client.requests
        finally:
            self._count(client)
