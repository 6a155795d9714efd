"""`GET /healthz` and `GET /metrics` of `cronctl run` (the standard library's threaded HTTP
server: two read-only endpoints need no framework).

/healthz is a liveness check: 200 while the scheduler loop ticks, 503 when its last tick is
older than `stuck_after` seconds (a hung database call, a deadlock), so an orchestrator
restarts the container. /metrics is Prometheus' text format (metrics.py).
"""

from __future__ import annotations

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


def serve(runner, host: str, port: int, *, stuck_after: float = 30) -> ThreadingHTTPServer:
    from .checkins import Checkins

    pings = runner.checkins = Checkins(runner)

    class Handler(BaseHTTPRequestHandler):
        def ping(self) -> None:
            """A check-in (checkins.py): HEAD, GET or POST /ping/<key>/<job>[/...]."""
            code, text = pings.answer(self.command, self.path, self.client_address[0],
                                      self.headers.get("Content-Length"), self.rfile.read)
            body = (text + "\n").encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if code == 429:
                self.send_header("Retry-After", "1")
            if code >= 400:
                self.send_header("Connection", "close")  # an unread body must not linger
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self.ping() if self.path.startswith("/ping/") else self.send_error(405)

        def do_POST(self) -> None:  # noqa: N802
            self.ping() if self.path.startswith("/ping/") else self.send_error(405)

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?", 1)[0]
            if path.startswith("/ping/"):
                return self.ping()
            if path == "/healthz":
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


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)
