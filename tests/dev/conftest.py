"""Fixtures: a real `cronctl dev` (frozen clock) and a receiving app, both on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from cronctl.testing import DevServer, ReceiverApp

START = "2026-01-05T08:00:00Z"  # a Monday


class Api:
    """A plain HTTP client for the server's QStash API."""

    def __init__(self, srv: DevServer) -> None:
        self.http = httpx.Client(base_url=srv.url, trust_env=False, timeout=30,
                                 headers={"Authorization": f"Bearer {srv.token}"})

    def upsert(self, destination: str, cron: str = "0 9 * * *", body: str = "",
               **headers: str) -> httpx.Response:
        """`Upstash_Schedule_Id="x"` style keywords become `Upstash-Schedule-Id: x` headers."""
        h = {"Upstash-Cron": cron, **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.http.post(f"/v2/schedules/{destination}", headers=h, content=body.encode())

    def get(self, path: str, **kw) -> httpx.Response:
        return self.http.get(path, **kw)

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        return self.http.request(method, path, **kw)


@pytest.fixture
def receiver() -> Iterator[ReceiverApp]:
    with ReceiverApp() as app:
        yield app


@pytest.fixture
def srv() -> Iterator[DevServer]:
    with DevServer(clock=f"frozen:{START}") as server:
        yield server


@pytest.fixture
def api(srv: DevServer) -> Iterator[Api]:
    client = Api(srv)
    yield client
    client.http.close()


@pytest.fixture
def api_for() -> Iterator[Callable[[DevServer], Api]]:
    """`api_for(server)`: an Api for a server a test starts itself."""
    clients: list[Api] = []

    def make(server: DevServer) -> Api:
        clients.append(Api(server))
        return clients[-1]

    yield make
    for client in clients:
        client.http.close()


# -- a real `cronctl dev` subprocess (the CLI entry point), for what only a process shows -----

WAIT_S = 30.0  # a bound for polling, never an expectation of speed


def poll(check: Callable[[], object], what: str, wait_s: float = WAIT_S) -> object:
    deadline = time.monotonic() + wait_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def second_terminal(**extra: str) -> dict[str, str]:
    """The environment of a second terminal: no QStash, no secrets, no CI."""
    drop = ("QSTASH_URL", "QSTASH_TOKEN", "CRON_SECRET", "APP_URL", "CRONCTL_CONFIG",
            "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(NO_COLOR="1", PYTHONUNBUFFERED="1", CRONCTL_RETRY_BASE="0.005", **extra)
    return env


class DevProcess:
    """`python -m cronctl dev --port 0 ARGS` in `folder`; its URL from its banner."""

    def __init__(self, folder: Path, args: Sequence[str], env: dict[str, str]) -> None:
        self.folder, self.args, self.env = folder, list(args), env
        self.log_path = folder / f"dev-{time.monotonic_ns()}.log"
        with self.log_path.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cronctl", "dev", "--port", "0", *self.args],
                cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
        found = poll(lambda: self.proc.poll() is not None or re.search(
            r"a local QStash at (\S+)", self.log_path.read_text()), "the banner")
        if found is True:
            raise AssertionError(f"cronctl dev exited: {self.log_path.read_text()}")
        self.url = found.group(1)  # type: ignore[union-attr]

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def start_dev() -> Iterator[Callable[..., DevProcess]]:
    """`start_dev(folder, *args, env=...)`: a real `cronctl dev`; stopped after the test."""
    started: list[DevProcess] = []

    def start(folder: Path, *args: str, env: dict[str, str] | None = None) -> DevProcess:
        started.append(DevProcess(folder, args, env or second_terminal()))
        return started[-1]

    yield start
    for dev in started:
        dev.stop()


def cronctl(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, as a second terminal runs it."""
    return subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(name="poll")
def poll_fixture() -> Callable[..., object]:
    return poll


@pytest.fixture
def clean_env() -> Callable[..., dict[str, str]]:
    return second_terminal


@pytest.fixture
def run_in() -> Callable[..., subprocess.CompletedProcess]:
    return cronctl
