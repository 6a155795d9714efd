"""Fixtures of the runner's tests: a ledger on SQLite and on a real PostgreSQL server
(cronctl.testing.postgres: Debian's binaries, a cluster in a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cronctl.testing.postgres import PostgresServer


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
