"""`cronctl dev` applies schedules.yaml to itself: at start, and again whenever the file changes
(`--no-apply` turns this off). It runs the one engine (`cronctl schedule --yes` against this
server, the QStash target only: the dev server never writes vercel.json or manifests), so its
log shows the plan it applied.

One app URL serves every job: with `--app-url`, deliveries of QStash schedules whose destination
is under the file's `base_url` go to the app URL instead (Vercel jobs already fire there); when
`base_url`'s variable is unset, it takes the app URL. Vercel jobs follow edits of the file.

The engine runs in a worker thread with its own event loop and talks to the server over HTTP on
loopback, like any client.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import TOKEN

# (schedules.yaml, the environment for its ${VARS}, (QStash URL, token)) -> exit code
ApplyFile = Callable[[Path, dict, tuple[str, str]], int]

POLL_S = 0.25  # how often the file is looked at
SETTLE_S = 0.1  # an editor's save can take more than one write: wait until it holds still
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# Shared with commands beside the file besides its ${VARS}: what this server sends itself
# (Vercel's Authorization: Bearer CRON_SECRET), so a trigger from there sends the same.
SENT = ("CRON_SECRET",)


def fill_env(config_path: Path, app_url: str | None,
             environ: dict[str, str] | None = None) -> tuple[dict[str, str], set[str]]:
    """(the environment for the file, the names of the variables it uses). With an app URL,
    an unset variable of `base_url` takes it."""
    from ..config import load_config
    from ..errors import CronctlError

    env = dict(os.environ if environ is None else environ)
    try:
        probe = load_config(config_path, {})  # nothing set: every variable shows where it is
    except CronctlError:
        return env, set()
    names = {u.var for u in probe.unset}
    if app_url:
        for u in probe.unset:
            if u.path[:1] == ("base_url",) and not env.get(u.var):
                env[u.var] = app_url.rstrip("/")
    return env, names


def _under(url: str, base: str) -> bool:
    return url == base or url.startswith((base + "/", base + "?"))


class AutoApply:
    def __init__(self, config_path: Path, app_url: str | None, *, apply: bool = True,
                 apply_file: ApplyFile | None = None) -> None:
        self.path = config_path
        # How the file is applied (`cronctl schedule` against this server): given by the
        # command, so the server package knows no engine.
        self.apply_file = apply_file
        self.app_url = app_url.rstrip("/") if app_url else None
        self.apply_enabled = apply
        self.env, self.names = fill_env(config_path, app_url)
        self.base_url: str | None = None
        self.url = ""
        self.log_line: Callable[[str, str], None] = lambda text, style="": None
        self.vercel: Any = None  # the server's VercelCrons, to follow edits
        self.applied = 0  # how many times the file was applied (for tests and the log)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._seen: bytes | None = None

    # -- wired into the server (dev/app.py) -------------------------------------------------
    def route(self, destination: str) -> str:
        """Where a delivery goes: under base_url → the app URL; anything else as it is."""
        base = self.base_url
        if self.app_url and base and base != self.app_url and _under(destination, base):
            return self.app_url + destination[len(base):]
        return destination

    def routes(self) -> list:
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from .gate import authorised
        from .httputil import error

        async def env(request) -> Any:
            # The values the file's ${VARS} resolve to here, for commands in another terminal
            # (dev/discovery.py): only to this start's key (in the private .cronctl/dev.json),
            # in the Authorization header (never the query, never the public token), and to
            # loopback clients only.
            key = request.app.state.control_key
            if not key or not authorised(request.scope, key, query=False):
                return error(401, "unauthorized: the key of .cronctl/dev.json is needed")
            if (request.client.host if request.client else "") not in LOOPBACK:
                return error(403, "forbidden: only asked from this machine")
            names = sorted(self.names.union(SENT))
            return JSONResponse({"env": {k: self.env[k] for k in names if self.env.get(k)}})

        return [Route("/_cronctl/env", env, methods=["GET"])]

    # -- the worker ---------------------------------------------------------------------------
    def start(self, url: str, *, server: Any = None, vercel: Any = None, log_line=None) -> None:
        """Start the worker; it waits for `server` (uvicorn) to be up before applying."""
        self.url = url
        self._server = server
        self.vercel = vercel
        if log_line is not None:
            self.log_line = log_line
        self._thread = threading.Thread(target=self._run, name="cronctl dev autoapply",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except OSError:
            return None

    def _run(self) -> None:
        if self._server is not None and not wait_started(self._server):
            return
        self._seen = self._read()
        self.apply_now(first=True)
        while not self._stop.wait(POLL_S):
            data = self._read()
            if data == self._seen:
                continue
            while not self._stop.wait(SETTLE_S):
                again = self._read()
                if again == data:
                    break
                data = again
            self._seen = data
            if data is None:
                self.log_line(f"{self.path.name} is gone; keeping what was applied", "yellow")
                continue
            self.log_line(f"{self.path.name} changed", "cyan")
            self.apply_now()

    def apply_now(self, *, first: bool = False) -> int | None:
        """Apply the file once; returns the exit code (None: applying is off)."""
        from ..config import load_config
        from ..errors import CronctlError

        self.env, self.names = fill_env(self.path, self.app_url)
        with contextlib.suppress(CronctlError):  # applying reports it
            self.base_url = load_config(self.path, self.env).base_url
        self._follow_vercel()
        if not self.apply_enabled or self.apply_file is None:
            return None
        what = "applying" if first else "applying again"
        self.log_line(f"{what} {self.path.name} to this server (--no-apply turns this off)",
                      "cyan")
        code = self.apply_file(self.path, self.env, (self.url, TOKEN))
        self.applied += 1
        if code:
            self.log_line(f"{self.path.name} not applied (exit {code}); the server keeps "
                          "serving what it has, and applies the file again when it changes",
                          "red")
        return code

    def _follow_vercel(self) -> None:
        """Vercel jobs follow the file: new ones start, removed ones stop, an edited schedule
        fires on its new time (unchanged jobs keep their next run)."""
        crons = self.vercel
        if crons is None:
            return
        from ..errors import CronctlError
        from .vercel_jobs import _next, load_jobs

        try:
            jobs, _ = load_jobs(self.path)
        except CronctlError:
            return
        old = {(j.name, j.path, j.schedule): j for j in crons.jobs}
        now = crons.clock.now_ms()
        fresh = []
        for job in jobs:
            kept = old.get((job.name, job.path, job.schedule))
            if kept is None:
                job.next_ms = _next(job.schedule, now)
                kept = job
            fresh.append(kept)
        if [id(j) for j in fresh] != [id(j) for j in crons.jobs]:
            crons.jobs = fresh  # one assignment: the scheduler reads it within a second
            self.log_line(f"{len(fresh)} Vercel cron job(s) now fire from {self.path.name}", "cyan")


def wait_started(server, timeout: float = 30.0) -> bool:
    """Wait until uvicorn has started (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or getattr(server, "should_exit", False):
            return False
        time.sleep(0.02)
    return True
