"""Shared parts of the runner benchmarks: a loopback app in its own process that records what
it received, a PostgreSQL server started like the tests' one, and /proc readings."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

APP = r'''
import sys, time, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
delay = float(sys.argv[2])
out = open(sys.argv[3], "a", buffering=1)
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        got = time.time()
        n = int(self.headers.get("Content-Length") or 0)
        if n: self.rfile.read(n)
        with lock:
            out.write(f"{self.headers.get('X-Cronctl-Run-Id')} {got:.6f}\n")
        if delay: time.sleep(delay)
        # one write: headers and body in separate segments would meet Nagle and delayed ACK
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 2\r\n\r\n{}")
    def log_message(self, *a): pass
class S(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 2048
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(folder: Path, delay: float = 0.0) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = folder / "received.txt"
    proc = subprocess.Popen([PY, "-c", APP, str(port), str(delay), str(log)])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}", log


def received(log: Path) -> list[tuple[str, float]]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text().splitlines():
        rid, _, t = line.rpartition(" ")
        out.append((rid, float(t)))
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5 - 1e-9)))
    return ordered[rank - 1]


class Postgres:
    """Debian's server in a temporary folder (as the postgres user when we are root)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("needs Debian's postgresql: apt-get install postgresql")
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="cronctl-bench-pg-"))
        self.port = free_port()
        self.su = []
        if os.geteuid() == 0:
            self.su = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run([*self.su, str(self.bin / "initdb"), "-D", str(self.root / "d"), "-U",
                        "cronctl", "-A", "trust", "--no-sync"], check=True,
                       capture_output=True)
        self.proc = subprocess.Popen(
            [*self.su, str(self.bin / "postgres"), "-D", str(self.root / "d"), "-p",
             str(self.port), "-k", str(self.root), "-c", "listen_addresses=127.0.0.1",
             "-c", "max_connections=100"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"postgresql://cronctl@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def start_runner(folder: Path, env: dict, listen: str = "") -> subprocess.Popen:
    return subprocess.Popen([PY, "-m", "cronctl", "run", "--listen", listen], cwd=folder,
                            env={**os.environ, "NO_COLOR": "1", **env},
                            stdout=subprocess.DEVNULL, stderr=open(folder / "runner.log", "ab"))
