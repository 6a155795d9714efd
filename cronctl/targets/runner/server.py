"""`GET /healthz` and `GET /metrics` of `cronctl run` (the standard library's threaded HTTP
server: two read-only endpoints need no framework).

/healthz is a liveness check: 200 while the scheduler loop ticks, 503 when its last tick is
older than `stuck_after` seconds (a hung database call, a deadlock), so an orchestrator
restarts the container. /metrics is Prometheus' text format (metrics.py).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def health(runner, stuck_after: float) -> tuple[int, dict]:
    age = time.monotonic() - runner.last_tick_mono if runner.last_tick_mono else None
    ok = age is not None and age <= stuck_after
    return (200 if ok else 503), {
        "status": "ok" if ok else "stuck", "replica": runner.replica,
        "last_tick_seconds_ago": None if age is None else round(age, 3),
        "jobs": len(runner.jobs), "running": runner.metrics.running}


REQUEST_DEADLINE_S = 10.0  # a whole request, from connect to the answer sent


def host_allowed(bound: str, host_header: str | None) -> bool:
    """Bound to a loopback address, only a loopback Host (`localhost`, 127.0.0.1, ::1): a
    DNS-rebinding page sends its own name, so it never reads these pages. Bound to another
    address the server is on the network anyway, and a scraper may name it (a service name)."""
    try:
        if not ipaddress.ip_address(bound.strip("[]")).is_loopback:
            return True
    except ValueError:
        if bound.strip().lower() != "localhost":
            return True
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    host = host.rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(runner, host: str, port: int, *, stuck_after: float = 30) -> ThreadingHTTPServer:
    from .httpcall import WATCHDOG

    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_DEADLINE_S  # each read; the watchdog bounds the whole request

        def setup(self) -> None:
            super().setup()
            self._watch = WATCHDOG.watch(_Sock(self.connection),
                                         time.monotonic() + REQUEST_DEADLINE_S)

        def finish(self) -> None:
            self._watch.done()
            with contextlib.suppress(OSError):  # the deadline shut the socket
                super().finish()

        def handle(self) -> None:
            try:
                super().handle()
            except OSError:  # cut at the deadline, or the client went away
                self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?", 1)[0]
            if not host_allowed(host, self.headers.get("Host")):
                code, kind = 403, "text/plain"
                body = b"forbidden: use 127.0.0.1 or localhost as the Host\n"
            elif path == "/healthz":
                code, data = health(runner, stuck_after)
                body, kind = json.dumps(data).encode(), "application/json"
            elif path == "/metrics":
                code, kind = 200, "text/plain; version=0.0.4; charset=utf-8"
                body = runner.metrics.render().encode()
            else:
                code, body, kind = 404, b"not found: /healthz or /metrics\n", "text/plain"
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # probes every few seconds: not logged
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="healthz", daemon=True).start()
    return server


class _Sock:
    """What the watchdog shuts: a connection's socket."""

    def __init__(self, sock) -> None:
        self.sock = sock


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)
