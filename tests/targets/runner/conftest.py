"""Fixtures of the runner's tests: a ledger on SQLite and on a real PostgreSQL server.

The server:  Debian's binaries (installed by .ci/run), a cluster
initialised in a temporary folder, listening on a unix socket there and an ephemeral loopback
port. initdb and postgres refuse to run as root (CI runs as root), so they run as the
`postgres` OS user through runuser when the tests are root.
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

import pytest


def binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing: apt-get install postgresql "
                           "(.ci/run does)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cronctl-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def start(self) -> PostgresServer:
        bin_ = binaries()
        subprocess.run([*self.as_user, str(bin_ / "initdb"), "-D", str(self.data), "-U",
                        "cronctl", "-A", "trust", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [*self.as_user, str(bin_ / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=60", "-c", "shared_buffers=16MB"],
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



@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "runner.sqlite3")
    return request.getfixturevalue("pg_url")


class Clock:
    """A frozen clock the tests move by hand (unix seconds)."""

    def __init__(self, iso: str = "2026-03-02T10:00:30Z") -> None:
        from datetime import datetime

        self.t = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def ms(self) -> int:
        return int(self.t * 1000)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app():
    from cronctl.testing import ReceiverApp

    with ReceiverApp() as a:
        yield a


def runner_file(folder: Path, jobs: str, *, base_url: str = "http://127.0.0.1:9",
                 runner: str = "") -> Path:
    import textwrap

    path = folder / "schedules.yaml"
    text = f"version: 1\nproject: demo\nbase_url: {base_url}\n"
    if runner:
        text += "runner:\n" + textwrap.indent(textwrap.dedent(runner).strip(), "  ") + "\n"
    text += "jobs:\n" + textwrap.indent(textwrap.dedent(jobs).strip(), "  ") + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def make_runner(tmp_path, clock):
    """A Runner on a frozen clock, no real waiting between retries; stopped at the end."""
    from cronctl.targets.runner.ledger import Ledger
    from cronctl.targets.runner.loop import Runner

    made = []

    def make(path: Path, *, db: str | None = None, env: dict | None = None, **kw):
        sleeps = kw.pop("sleeps", [])
        ledger = Ledger(db or str(tmp_path / "runner.sqlite3"))
        r = Runner(path, env=env or {}, clock=kw.pop("clock", clock), ledger=ledger,
                   sleep=lambda s: sleeps.append(s) or True, **kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.shutdown(grace=0)
