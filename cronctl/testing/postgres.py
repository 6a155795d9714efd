"""A real PostgreSQL server for tests: Debian's binaries (installed by .ci/run), a cluster
initialised in a temporary folder, listening on a unix socket there and an ephemeral loopback
port. initdb and postgres refuse to run as root (CI runs as root), so they run as the
`postgres` OS user through runuser when the tests are root.

    server = PostgresServer({"log_min_messages": "warning"}).start()  # more -c settings
    server.url("postgres"); server.new_database(); server.stop()
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def binaries(library: str | None = None) -> Path:
    """The newest server's bin folder (with `library`: the newest whose lib folder has it)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if library:
        found = [p for p in found if (Path(p).parents[1] / "lib" / f"{library}.so").exists()]
        if not found:
            raise RuntimeError(f"no PostgreSQL server here has {library}: apt-get install "
                               "postgresql-15-cron (scripts/test does)")
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing: apt-get install postgresql "
                           "(.ci/run does)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, options: dict[str, str] | None = None, *,
                 library: str | None = None) -> None:
        self.options = dict(options or {})  # more `-c name=value` server settings
        self.library = library  # a server whose lib folder has this extension library
        self.root = Path(tempfile.mkdtemp(prefix="cronctl-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def start(self) -> PostgresServer:
        bin_ = binaries(self.library)
        subprocess.run([*self.as_user, str(bin_ / "initdb"), "-D", str(self.data), "-U",
                        "cronctl", "-A", "trust", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [*self.as_user, str(bin_ / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=60", "-c", "shared_buffers=16MB",
             *(x for k, v in self.options.items() for x in ("-c", f"{k}={v}"))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()
        return self

    def _wait(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.05)

    def url(self, db: str) -> str:
        return f"postgresql://cronctl@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        import psycopg

        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: smart shutdown; runuser forwards it
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)
