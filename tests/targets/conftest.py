"""Hardening tests: a small hostile HTTP server on loopback (what cronctl does with bad answers).

    with Hostile(routes) as srv:   # routes: {"GET /v2/schedules": handler, ...}
        srv.url, srv.requests      # base URL; (method, path, headers) of every request received

A handler gets the `BaseHTTPRequestHandler` and writes whatever it likes (status, headers, a
body, nothing at all, bytes at a crawl). Unknown routes answer `404 {"error": "not found"}`.
With `tls=(certfile, keyfile)` the server speaks HTTPS, and `srv.connections` counts the TCP
connections accepted (a handshake that fails still counts).
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Handler = Callable[[BaseHTTPRequestHandler], None]


def send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def json_answer(data: object, status: int = 200) -> Handler:
    return lambda h: send(h, status, json.dumps(data).encode(), Content_Type="application/json")


def redirect(h: BaseHTTPRequestHandler) -> None:
    send(h, 302, Location="https://elsewhere.example.com/v2/schedules")


def empty_200(h: BaseHTTPRequestHandler) -> None:
    send(h, 200)


def huge(total: int) -> Handler:
    """A JSON-looking answer of `total` bytes, streamed until the client hangs up."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        chunk = b" " * 65536
        sent = 0
        try:
            while sent < total:
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        h.server.bytes_sent = sent  # type: ignore[attr-defined]

    return handler


def drip(every: float = 0.5, total: int = 1000) -> Handler:
    """A 200 whose body arrives one byte every `every` seconds."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        try:
            for _ in range(total):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(every)
        except OSError:
            pass

    return handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None
    connections = 0
    bytes_sent = 0

    def get_request(self):
        sock, addr = super().get_request()
        self.connections += 1
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, addr

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up or refuses our certificate is what these tests expect


def until(condition, what: str, timeout: float = 60.0):
    """Wait for `condition()` to be true (its value), polling; `timeout` only bounds the test
    run on a stuck server. For what a server thread records after the client has gone."""
    import time

    end = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.02)
    return value


class Hostile:
    def __init__(self, routes: dict[str, Handler], *, tls: tuple[Path, Path] | None = None
                 ) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?")[0]
                outer.requests.append((self.command, self.path, dict(self.headers.items())))
                handler = outer.routes.get(f"{self.command} {path}")
                if handler is None:
                    handler = next((fn for key, fn in outer.routes.items()
                                    if key.endswith("*") and f"{self.command} {path}"
                                    .startswith(key[:-1])), None)
                if handler is None:
                    send(self, 404, b'{"error": "not found"}')
                else:
                    handler(self)

            do_GET = do_POST = do_DELETE = do_PUT = _any

        self._server = _Server(("127.0.0.1", 0), H)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.tls = ctx
        port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def connections(self) -> int:
        return self._server.connections

    @property
    def bytes_sent(self) -> int:
        return self._server.bytes_sent

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (openssl), trusted by nobody."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


# -- fixtures --------------------------------------------------------------------------------

import sys  # noqa: E402
from types import ModuleType  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def kit() -> ModuleType:
    """This module: `kit.Hostile`, `kit.json_answer`, `kit.redirect`, `kit.drip` ..."""
    return sys.modules[__name__]


@pytest.fixture
def hostile_env(monkeypatch: pytest.MonkeyPatch):
    """Point cronctl at a hostile server with small limits, so these tests take a second."""

    def point(url: str) -> None:
        monkeypatch.setenv("QSTASH_URL", url)
        monkeypatch.setenv("QSTASH_TOKEN", "hostile-test-token-0123456789")
        monkeypatch.setenv("CRONCTL_RETRY_BASE", "0.005")
        monkeypatch.setenv("CRONCTL_DEADLINE", "1.5")
        monkeypatch.setenv("CRONCTL_MAX_RESPONSE", str(1 << 20))

    return point
