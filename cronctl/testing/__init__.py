"""Test harness: a real `cronctl dev` server, and a receiving app, on loopback in threads.

    from cronctl.testing import DevServer, ReceiverApp

    with ReceiverApp() as app, DevServer(clock="frozen:2026-01-05T08:00:00Z") as srv:
        srv.url, srv.token, srv.env()    # base URL, bearer token, the 4 QSTASH_* variables
        ...                              # point cronctl / the qstash SDK at srv.url
        srv.request_count()              # QStash API requests served since the last reset
        srv.route_counts()               # {"POST /v2/schedules/{destination:path}": n, ...}
        srv.status_counts()              # {200: n, 429: m, ...}
        srv.reset_counts()               # also resets srv.max_in_flight()
        srv.advance(3600)                # move the clock, fire and await everything due
        srv.schedules(); srv.events(scheduleId=...); srv.dlq(); srv.vercel_runs(); srv.now()
        app.requests                     # what the app received (method, url, headers, body)

`DevServer` options (all keyword): memory=True (or db_path=...), clock="frozen" (frozen at start
time; "frozen:<ISO>" or "wall"), latency_ms=0, fault_rate=0.0, fault_seed=None,
max_schedules=None, rate_limit=None (requests/s), config_path=None, app_url=None, fire=True,
log=False, access_log=False.
The harness's own calls (control endpoints) are never counted, delayed or faulted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ..dev import TOKEN, env_for
from ..dev.app import DevSettings, build_app
from ..dev.clock import from_ms
from ..dev.server import bind, url_of

START_TIMEOUT_S = 15.0


class _Threaded:
    """A uvicorn server on 127.0.0.1, OS-assigned port, in a daemon thread."""

    def __init__(self, asgi: Any, lifespan: str = "on") -> None:
        self._sock = bind("127.0.0.1", 0)
        self.url = url_of(self._sock)
        self._server = uvicorn.Server(uvicorn.Config(
            asgi, lifespan=lifespan, interface="asgi3", access_log=False, log_config=None,
            log_level="warning", timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"uvicorn {self.url}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server at {self.url} did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(START_TIMEOUT_S)
        self._sock.close()


class DevServer:
    """A real `cronctl dev` (uvicorn + Starlette + SQLite) for tests and benchmarks."""

    token = TOKEN

    def __init__(self, *, memory: bool = True, db_path: Path | None = None,
                 clock: str = "frozen", latency_ms: int = 0, fault_rate: float = 0.0,
                 fault_seed: int | None = None, max_schedules: int | None = None,
                 rate_limit: float | None = None,
                 config_path: Path | None = None, app_url: str | None = None,
                 fire: bool = True, log: bool = False, access_log: bool = False) -> None:
        if db_path is None and not memory:
            raise ValueError("DevServer needs memory=True or a db_path")
        self.settings = DevSettings(
            db_path=Path(db_path) if db_path else None, clock=clock, fire=fire,
            latency_ms=latency_ms, fault_rate=fault_rate, fault_seed=fault_seed,
            max_schedules=max_schedules, rate_limit=rate_limit,
            config_path=Path(config_path) if config_path else None,
            app_url=app_url, log=log, access_log=access_log)
        self._server: _Threaded | None = None
        self._http: httpx.Client | None = None
        self.url = ""
        self.notes: list[str] = []  # start-up notes (e.g. which Vercel jobs fire, or why not)

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        dev = build_app(self.settings)
        self.notes = dev.notes
        self._server = _Threaded(dev.asgi)
        self.url = self._server.url
        self._http = httpx.Client(base_url=self.url, trust_env=False, timeout=300,
                                  headers={"Authorization": f"Bearer {self.token}"})

    def stop(self) -> None:
        """Stop the server (idempotent); a file database keeps its state for the next start."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def env(self) -> dict[str, str]:
        return env_for(self.url)

    # -- request counting ---------------------------------------------------------------------

    def request_count(self) -> int:
        return int(self._get("/_cronctl/stats")["total"])

    def route_counts(self) -> dict[str, int]:
        return dict(self._get("/_cronctl/stats")["byRoute"])

    def status_counts(self) -> dict[int, int]:
        """API answers by HTTP status (429: refused by --rate-limit or a fault)."""
        return {int(k): v for k, v in self._get("/_cronctl/stats")["byStatus"].items()}

    def max_in_flight(self) -> int:
        """The most API requests the server was handling at once (since the last reset)."""
        return int(self._get("/_cronctl/stats")["maxInFlight"])

    def reset_counts(self) -> None:
        self._call("POST", "/_cronctl/stats/reset")

    # -- time -----------------------------------------------------------------------------------

    def advance(self, seconds: float) -> dict[str, Any]:
        """Fire everything due in the next `seconds`, awaiting deliveries and their retries."""
        return self._call("POST", "/_cronctl/advance", params={"seconds": seconds})

    def now(self) -> datetime:
        return from_ms(self._get("/_cronctl/clock")["now"])

    # -- state (control endpoints: never counted, delayed or faulted) ----------------------------

    def schedules(self) -> list[dict[str, Any]]:
        """What `GET /v2/schedules` answers."""
        return list(self._get("/_cronctl/schedules"))

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Every event (newest first) matching QStash's filters, e.g. scheduleId=..."""
        return self._pages("/_cronctl/events", "events", filters)

    def dlq(self) -> list[dict[str, Any]]:
        return self._pages("/_cronctl/dlq", "messages", {})

    def vercel_runs(self) -> list[dict[str, Any]]:
        """Infrastructure-job runs: job, path, url, schedule, scheduledTime, status, error."""
        return list(self._get("/_cronctl/runs")["runs"])

    # -- plumbing -------------------------------------------------------------------------------

    def _pages(self, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, "count": 1000, **({"cursor": cursor} if cursor else {})}
            page = self._call("GET", path, params=query)
            out.extend(page[key])
            cursor = page.get("cursor")
            if not cursor:
                return out

    def _get(self, path: str) -> Any:
        return self._call("GET", path)

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        if self._http is None:
            raise RuntimeError("the DevServer is not running")
        response = self._http.request(method, path, **kw)
        response.raise_for_status()
        return response.json() if response.content else None


@dataclass(frozen=True)
class Received:
    method: str
    url: str  # as the sender addressed it: the receiver's URL + path (+ ?query)
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class ReceiverApp:
    """A loopback HTTP app that records every request and answers as told.

    `status`: one status for every request, or a sequence used in order (the last one repeats).
    `delay`: seconds to wait before answering (a slow app). `max_in_flight`: the most requests
    it was handling at once. Change behaviour at any time with `respond(status, delay)`.
    """

    def __init__(self, status: int | Sequence[int] = 200, delay: float = 0.0) -> None:
        self.requests: list[Received] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._server: _Threaded | None = None
        self.url = ""
        self.respond(status, delay)

    def respond(self, status: int | Sequence[int] = 200, delay: float = 0.0) -> None:
        self._statuses = [status] if isinstance(status, int) else list(status)
        self._delay = delay

    def __enter__(self) -> ReceiverApp:
        self._server = _Threaded(self._asgi, lifespan="off")
        self.url = self._server.url
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    async def _asgi(self, scope: dict, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode()
        self.requests.append(Received(
            method=scope["method"],
            url=self.url + scope["path"] + (f"?{query}" if query else ""),
            path=scope["path"],
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=body,
        ))
        status = self._statuses.pop(0) if len(self._statuses) > 1 else self._statuses[0]
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self._delay:
                await asyncio.sleep(self._delay)
        finally:
            self._in_flight -= 1
        text = f"status {status}".encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain"),
                                (b"content-length", str(len(text)).encode())]})
        await send({"type": "http.response.body", "body": text})


class Served:
    """Any ASGI app (an example app, a test's own) on loopback, in a thread:

        with Served(app) as served:
            served.url
    """

    def __init__(self, asgi: Any) -> None:
        self._asgi = asgi
        self._server: _Threaded | None = None
        self.url = ""

    def __enter__(self) -> Served:
        self._server = _Threaded(self._asgi, lifespan="off")
        self.url = self._server.url
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def banner(proc) -> list[str]:
    """The lines a `cronctl dev` process (a `subprocess.Popen` with text stdout) prints up to
    "Ctrl-C stops the server.", i.e. once it serves; an AssertionError with its output if it
    ends first."""
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            return lines
    raise AssertionError(f"no banner: {lines} {proc.stderr.read() if proc.stderr else ''}")
