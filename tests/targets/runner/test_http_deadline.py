"""An HTTP job's `timeout` is one deadline for the whole attempt (issue 30, 4): an app that
drips its answer a byte at a time is cut at the deadline, and `cronctl run` stops promptly
on SIGTERM with such a request in flight. The app is a real socket server on loopback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time

from cronctl.targets.runner.ledger import Ledger

from .conftest import runner_file
from .test_commands import _env


class DripApp:
    """Answers every request with headers, then one byte of the body every `every` s (or,
    with `headers_drip`, the status line itself a byte at a time)."""

    def __init__(self, every: float = 0.5, headers_drip: bool = False) -> None:
        self.every, self.headers_drip = every, headers_drip
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self.requests += 1
                head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                if not self.headers_drip:
                    conn.sendall(head)
                    head = b"x" * 1000
                for byte in head:
                    if self.stop.wait(self.every):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def _job(tmp_path, url: str, timeout: str = "2s"):
    return runner_file(tmp_path, f"""
        drip:
          target: runner
          path: /api/drip
          schedule: "* * * * *"
          timeout: {timeout}
    """, base_url=url)


def test_a_dripping_body_is_cut_at_the_timeout(tmp_path, clock, make_runner):
    for headers_drip in (False, True):
        app = DripApp(headers_drip=headers_drip)
        try:
            r = make_runner(_job(tmp_path, app.url), db=str(tmp_path / f"{headers_drip}.db"))
            clock.advance(30 if not headers_drip else 60)
            r.tick()
            r.wait_idle(timeout=120)  # per byte, 2 s each, it would take 500 s
            row = r.ledger.runs(["drip"])[0]
            assert row.outcome == "timeout", (row.outcome, row.error)
            assert "2s" in row.error
        finally:
            app.close()


def test_sigterm_stops_the_runner_with_a_request_in_flight(tmp_path):
    app = DripApp()
    try:
        _job(tmp_path, app.url, timeout="10m")
        (tmp_path / "schedules.yaml").write_text(
            (tmp_path / "schedules.yaml").read_text().replace('"* * * * *"', '"@every 1s"')
            + "runner:\n  kill_grace: 1s\n")
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", "run", "--listen", ""],
                                cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        db = tmp_path / ".cronctl" / "runner.sqlite3"
        deadline = time.monotonic() + 60
        while not app.requests:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)  # without a stop, the request would hold it for 10 min
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("cronctl run did not stop within 30 s of SIGTERM") from None
        assert proc.returncode == 0, proc.stderr.read()
        rows = Ledger(str(db)).runs(["drip"])
        assert rows and {x.outcome for x in rows} <= {"cancelled", "skipped", "missed"}, \
            [(x.outcome, x.error) for x in rows]
        assert "running" not in {x.outcome for x in rows}
    finally:
        app.close()
