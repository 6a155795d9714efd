"""HTTP jobs' calls: keep-alive connections per thread on the standard library's http.client,
each attempt under one deadline, and stoppable from another thread.

An attempt's `timeout` is one deadline for all of it (connect, send, headers, body): a socket
timeout alone bounds each read, so an app dripping a byte every half second would hold a
`timeout: 2s` job for ever (and its lease, and with `forbid` every later run). One watchdog
thread shuts the socket down when an attempt's deadline passes, or when the run is stopped
(the runner's SIGTERM, `overlap: replace`); the blocked read returns at once.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from typing import Any


class Stopped(Exception):
    """The run was stopped while its request was in flight."""


class _Watch:
    """One attempt's deadline; `fire` (the deadline, or a stop) and `done` (the attempt
    ended) exclude each other, so a connection back in the pool is never shut."""

    __slots__ = ("conn", "fired", "lock", "why")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.fired = threading.Event()
        self.lock = threading.Lock()
        self.why = ""

    def fire(self, why: str) -> None:
        with self.lock:
            if self.fired.is_set():
                return
            self.why = why
            self.fired.set()
            sock = getattr(self.conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # the blocked recv returns now

    def done(self) -> None:
        with self.lock:
            self.fired.set()


class Watchdog:
    """One thread for every in-flight attempt's deadline (a heap, not a timer each)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Watch]] = []
        self._cv = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, conn: Any, deadline: float) -> _Watch:
        w = _Watch(conn)
        with self._cv:
            heapq.heappush(self._heap, (deadline, next(self._seq), w))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="http-deadlines",
                                                daemon=True)
                self._thread.start()
            self._cv.notify()
        return w

    def _run(self) -> None:
        with self._cv:
            while True:
                while self._heap and (self._heap[0][2].fired.is_set()
                                      or self._heap[0][0] <= time.monotonic()):
                    _, _, w = heapq.heappop(self._heap)
                    w.fire("timeout")
                self._cv.wait(self._heap[0][0] - time.monotonic() if self._heap else None)


WATCHDOG = Watchdog()


class HttpPool:
    """Keep-alive connections per thread and origin, on the standard library's http.client.

    Not httpx (cronctl's client elsewhere): with 64 threads firing 1,000 runs at once, httpx's
    shared pool spends ~4x the CPU of one plain connection per thread (bench/runner_lag.py;
    0.96 s against 0.24 s for 1,000 loopback requests), and that CPU is firing lag."""

    MAX_BODY = 1 << 20  # read at most this much of an answer (the rest closes the connection)

    def __init__(self) -> None:
        self.local = threading.local()
        self._tls = None

    def _tls_context(self):
        if self._tls is None:
            import ssl

            import certifi

            self._tls = ssl.create_default_context(cafile=certifi.where())
        return self._tls

    def request(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                timeout: float, cancel: Any = None) -> tuple[int, bytes]:
        """(status, body) within `timeout` seconds in all; TimeoutError after it, Stopped
        when `cancel` (execute.Cancel) is set meanwhile."""
        deadline = time.monotonic() + timeout
        for fresh in (False, True):
            conn, reused = self._conn(url, fresh, timeout)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            conn.timeout = remaining  # the connect's bound; the watchdog bounds the rest
            if conn.sock is not None:
                conn.sock.settimeout(remaining)
            watch = WATCHDOG.watch(conn, deadline)
            if cancel is not None:
                cancel.on_stop(lambda w=watch: w.fire("stopped"))
            try:
                conn.request(method, self._target(url), body=body, headers=headers)
                r = conn.getresponse()
                data = r.read(self.MAX_BODY)
                watch.done()
                if watch.why:  # cut short: what was read is not the answer
                    raise OSError("cut")
                if not r.isclosed():
                    conn.close()  # a longer answer than we read: do not reuse
                return r.status, data
            except BaseException as exc:
                watch.done()  # the watchdog drops it
                self._drop(url, conn)
                if watch.why == "timeout" or isinstance(exc, TimeoutError):
                    raise TimeoutError from None
                if watch.why == "stopped":
                    raise Stopped from None
                import http.client

                retry = isinstance(exc, (BrokenPipeError, ConnectionResetError,
                                         http.client.RemoteDisconnected))
                if not (retry and reused):
                    raise
                # a keep-alive connection the app had closed: once more on a new one
            finally:
                watch.done()
                if cancel is not None:
                    cancel.on_stop(None)
        raise AssertionError("unreachable")

    @staticmethod
    def _target(url: str) -> str:
        from urllib.parse import urlsplit

        u = urlsplit(url)
        return (u.path or "/") + (f"?{u.query}" if u.query else "")

    def _conn(self, url: str, fresh: bool, timeout: float) -> tuple[Any, bool]:
        import http.client
        from urllib.parse import urlsplit

        u = urlsplit(url)
        key = (u.scheme, u.hostname, u.port)
        conns = self.local.__dict__.setdefault("conns", {})
        conn = None if fresh else conns.get(key)
        if conn is not None:
            return conn, True
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout,
                                               context=self._tls_context())
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        conns[key] = conn
        return conn, False

    def _drop(self, url: str, conn: Any) -> None:
        from urllib.parse import urlsplit

        conn.close()
        u = urlsplit(url)
        self.local.__dict__.setdefault("conns", {}).pop((u.scheme, u.hostname, u.port), None)
