"""A project synced against a real `cronctl dev` (frozen clock) and a local app."""

from __future__ import annotations

import threading

import pytest

from cronctl import output
from cronctl.testing import DevServer, ReceiverApp


class Ops:
    """The shared `project` (tests/conftest.py) against a frozen-clock dev server, and an app."""

    def __init__(self, project, app, monkeypatch) -> None:
        self.project = project
        self.server = project.server
        self.folder = project.folder
        self.secret = project.secret
        self.run = project.run
        self.job = project.job
        self.app = app
        monkeypatch.setenv("CRONCTL_POLL_INTERVAL", "0.05")
        # The secret registry is process-global; start with an empty one.
        monkeypatch.setattr(output, "_scrubber", output.Scrubber())

    def setup(self, jobs: str, header: str = "") -> None:
        text = self.project.write(jobs, header=header).read_text()
        (self.folder / "schedules.yaml").write_text(
            text.replace("https://app.example.com", self.app.url))
        result = self.run("schedule", "--yes")
        assert result.code == 0, result.err

    def every_15(self, name: str, extra: str = "") -> str:
        """A job every 15 minutes, retried once after 1 s."""
        return self.job(name, schedule="*/15 * * * *",
                        extra='retries: 1\nretry_delay: "1000"\n' + extra)

    def got(self, name: str) -> list:
        return [r for r in self.app.requests if r.path == f"/api/cron/{name}"]


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


@pytest.fixture
def dev():
    with DevServer(memory=True, clock="frozen") as server:  # frozen at the wall time
        yield server


@pytest.fixture
def ops(project, app, monkeypatch):
    return Ops(project, app, monkeypatch)


class Ticker:
    """Moves the frozen clock forward in the background (a command is waiting meanwhile)."""

    def __init__(self, server, step: float = 1.0) -> None:
        self.server = server
        self.step = step
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.server.advance(self.step)

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def ticking(dev):
    """`with ticking(): ...` moves the clock on while a command waits for a run."""
    return lambda step=1.0: Ticker(dev, step)
