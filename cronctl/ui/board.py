"""What the dashboard shows, read through the engine and the Target interface only (no
provider is named here), and cached between refreshes.

A refresh costs what `cronctl list` costs (one listing per target) plus one `Target.runs` call
per target for the window's runs of all its jobs (as few requests as `stats` makes); pages
within `ttl` seconds of it cost nothing, and later pages get it while the next read runs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import engine, live_list
from ..app import State
from ..commands import list_jobs
from ..commands import logs as logs_cmd
from ..errors import CronctlError
from ..output import redact
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
    read_s: float = 0.0  # how long reading the targets took
    labels: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    verdict: Any = None  # cronctl verify's report over the window (ui/verdicts.py)

    def row(self, name: str) -> dict | None:
        return next((r for r in self.rows if r["name"] == name and r.get("in_file")), None)


def text_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


log = logging.getLogger("cronctl.ui")
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
        self._reading = threading.Lock()  # one read of the targets at a time
        self._refreshing = False
        self._gen = 0  # changes made here since (a read begun before one is not kept)
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
    def snapshot(self) -> Snapshot:
        """The last read, if the file is unchanged since. Older than `ttl`, it is still served
        while a new read runs in the background (a page never waits on the targets, except
        for the first read and after a change)."""
        with self._lock:
            snap = self._snap
            if snap is not None and self._unchanged():
                if time.time() - snap.at >= self.ttl:
                    self._refresh_later()
                return snap
        with self._reading:
            with self._lock:
                snap = self._snap
                if snap is not None and self._unchanged():  # read meanwhile by another page
                    return snap
            gen = self._gen
            return self._store(self._read(), gen)

    def warm(self) -> None:
        """Start the first read now, so the first page is likely ready when asked for."""
        with self._lock:
            self._refresh_later()

    def _store(self, snap: Snapshot, gen: int) -> Snapshot:
        """Keep a read, unless something changed since it began (`invalidate`)."""
        with self._lock:
            if gen == self._gen:
                self._snap = snap
                self.refreshes += 1
        return snap

    def _refresh_later(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True

        def go() -> None:
            try:
                with self._reading:
                    gen = self._gen
                    self._store(self._read(), gen)
            except Exception as exc:  # the last read stays; the next refresh tries again
                log.warning("%s", redact(f"reading the targets failed: {exc}"))
            finally:
                self._refreshing = False

        threading.Thread(target=go, name="cronctl ui refresh", daemon=True).start()

    def invalidate(self) -> None:
        """After a change (run, pause, apply): the next page reads again."""
        with self._lock:
            self._snap = None
            self._gen += 1

    def _unchanged(self) -> bool:
        try:
            st = self.path.stat()
        except OSError:
            return False
        return self._config is not None and self._config[0] == (st.st_mtime_ns, st.st_size,
                                                                  st.st_ino)

    def _read(self) -> Snapshot:
        started = time.perf_counter()
        state = self.state()
        config = self.config(state)
        notes: list[str] = []
        # What the targets tell (e.g. "VERCEL_TOKEN is not set") goes on the page, not to
        # the console at every refresh.
        state.tell = lambda text: notes.append(text.removeprefix("note: ")) \
            if text.removeprefix("note: ") not in notes else None
        names = {j.name for j in config.jobs}
        live, others = {}, []
        for r in live_list.rows(config, state, notes=notes):
            if r["name"] in names and r["status"] not in ("orphaned", "unmanaged"):
                live[r["name"]] = r
            else:  # a live item the file does not have: shown, never linked to a job page
                others.append({**r, "in_file": False, "local": None, "recent": None,
                               "labels": [], "locked": False, "line": None,
                               "state": r["status"]})
        runs = self._runs(config, state, notes)
        from .verdicts import verdict

        report = verdict(config, state, self.window_s, notes)
        rows = []
        for job in config.jobs:
            local = list_jobs.local_row(job, config)
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
            read_s=round(time.perf_counter() - started, 3),
            window_s=self.window_s,
            labels=sorted({label for r in rows for label in r["labels"]}),
            targets=sorted({r["target"] for r in rows}),
            states=sorted({r["state"] for r in rows}), verdict=report)

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

