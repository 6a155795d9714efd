"""What the dashboard shows, read through the engine and the Target interface only (no
provider is named here), and cached between refreshes.

A refresh costs what `cronctl list` costs (one listing per target) plus one `Target.runs` call
per target for the window's runs of all its jobs; pages within `ttl` seconds of it cost nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import engine
from ..app import State
from ..commands import list_jobs, list_remote
from ..commands import logs as logs_cmd
from ..errors import CronctlError
from ..targets.base import now_ms
from .summary import state_of, summarise


@dataclass
class Snapshot:
    config: Any
    rows: list[dict]  # list --json rows, each with "local" (list --local's row) and "recent"
    notes: list[str]
    at: float  # time.time() when it was read
    now: str  # the clock the runs were read by (a frozen dev clock, or the wall)
    window_s: int
    labels: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    def row(self, name: str) -> dict | None:
        return next((r for r in self.rows if r["name"] == name and r.get("in_file")), None)


def text_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


PROBE_TTL_S = 300.0  # the delivery checks cost what `stats` costs: read at most this often


class Board:
    """The project's file, the targets' live state and their runs, cached for `ttl` seconds."""

    def __init__(self, config_path: Path, *, ttl: float = 15.0, window_s: int = 24 * 3600,
                 debug: bool = False) -> None:
        self.path = Path(config_path)
        self.ttl = ttl
        self.window_s = window_s
        self._base = State(config=str(self.path), debug=debug)
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._config: tuple[tuple, Any] | None = None
        self.refreshes = 0
        self._probes: dict[str, tuple[float, list]] = {}

    # -- the file ------------------------------------------------------------------------------
    def state(self) -> State:
        """A State for one request: the discovered environment kept, a fresh clock."""
        s = State(config=str(self.path), debug=self._base.debug, env=self._base.env)
        s.cache = {k: v for k, v in self._base.cache.items() if k != "now"}
        return s

    def file_bytes(self) -> bytes:
        return self.path.read_bytes()

    def config(self, state: State | None = None):
        """The loaded file, loaded again only when it changed on disk."""
        st = self.path.stat()
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._config is None or self._config[0] != sig:
            base = self._base
            config = base.load(remote=True)
            self._config = (sig, config)
        return self._config[1]

    # -- the jobs page ------------------------------------------------------------------------
    def snapshot(self, *, fresh: bool = False) -> Snapshot:
        with self._lock:
            snap = self._snap
            if snap is not None and not fresh and time.time() - snap.at < self.ttl \
                    and self._config is not None and self._unchanged():
                return snap
            self._snap = self._read()
            self.refreshes += 1
            return self._snap

    def invalidate(self) -> None:
        """After a change (run, pause, apply): the next page reads again."""
        with self._lock:
            self._snap = None

    def _unchanged(self) -> bool:
        try:
            st = self.path.stat()
        except OSError:
            return False
        return self._config is not None and self._config[0] == (st.st_mtime_ns, st.st_size,
                                                                  st.st_ino)

    def _read(self) -> Snapshot:
        state = self.state()
        config = self.config(state)
        notes: list[str] = []
        names = {j.name for j in config.jobs}
        live, others = {}, []
        for r in list_remote.rows(config, state, notes=notes):
            if r["name"] in names and r["status"] not in ("orphaned", "unmanaged"):
                live[r["name"]] = r
            else:  # a live item the file does not have: shown, never linked to a job page
                others.append({**r, "in_file": False, "local": None, "recent": None,
                               "labels": [], "locked": False, "line": None,
                               "state": r["status"]})
        runs = self._runs(config, state, notes)
        rows = []
        for job in config.jobs:
            local = list_jobs.local_row(job, config.vercel_plan, config.vercel_output)
            row = live.get(job.name) or {**{k: local[k] for k in (
                "name", "tier", "target", "schedule", "timezone", "next_run")},
                "status": "not checked", "paused": None, "last_run": None, "last_states": []}
            recent = summarise(runs[job.name]) if job.name in runs else None
            rows.append({**row, "in_file": True, "local": local, "recent": recent,
                         "labels": list(getattr(job, "labels", ()) or ()),
                         "locked": job.locked, "line": job.line,
                         "state": state_of(row, recent)})
        rows.extend(others)
        now = state.now().isoformat(timespec="seconds")
        return Snapshot(
            config=config, rows=rows, notes=notes, at=time.time(), now=now,
            window_s=self.window_s,
            labels=sorted({label for r in rows for label in r["labels"]}),
            targets=sorted({r["target"] for r in rows}),
            states=sorted({r["state"] for r in rows}))

    def _runs(self, config, state, notes: list[str]) -> dict[str, list]:
        """The window's runs of every job, by job, newest first: one call per target."""
        since = now_ms(state) - self.window_s * 1000
        out: dict[str, list] = {}
        for target in engine.targets(config, state):
            jobs = target.jobs
            if not jobs or target.skip_reason():
                continue
            try:
                found = target.runs(jobs, since_ms=since, limit=len(jobs) * 50)
            except CronctlError as exc:
                notes.append(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
                continue
            for job in jobs:
                out[job.name] = []
            for run in found:
                if run.job in out and len(out[run.job]) < 50:
                    out[run.job].append(run)
        return out

    # -- one job ------------------------------------------------------------------------------
    def job_runs(self, job, *, status: str | None, since_ms: int, until_ms: int | None,
                 limit: int) -> tuple[list, list[str]]:
        state = self.state()
        notes: list[str] = []
        runs = logs_cmd.collect(self.config(state), state, [job], since_ms=since_ms,
                                until_ms=until_ms, status=status, limit=limit, notes=notes)
        return runs, notes

    def probe(self, target) -> list:
        """`probe`'s checks of one target (its own and its deliveries), cached."""
        key = target.name
        hit = self._probes.get(key)
        if hit is not None and time.time() - hit[0] < max(self.ttl, PROBE_TTL_S):
            return hit[1]
        checks = []
        try:
            if not target.skip_reason():
                checks = [*target.probe(), *target.delivery_health()]
        except CronctlError as exc:
            from ..targets.base import Check

            checks = [Check(target.title, "fail", exc.message, exc.hint)]
        self._probes[key] = (time.time(), checks)
        return checks

    def target_of(self, job):
        state = self.state()
        return engine.target_for(self.config(state), state, job)

