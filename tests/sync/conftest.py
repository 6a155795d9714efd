"""Fixtures for the sync tests: a real `cronctl dev` on loopback and the real CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cronctl.__main__ import main
from cronctl.dev.testing import DevServer

SECRET = "s3cret-cron-value-do-not-print"
BASE = "https://app.example.com"


@dataclass
class Result:
    code: int
    out: str
    err: str


def job_yaml(name: str, *, schedule: str = "0 9 * * *", extra: str = "") -> str:
    text = (f"  {name}:\n    tier: business\n    path: /api/cron/{name}\n"
            f'    schedule: "{schedule}"\n')
    return text + "".join(f"    {line}\n" for line in extra.strip("\n").splitlines() if line)


class Project:
    """A schedules.yaml in a temporary folder, and the CLI run against a dev server."""

    def __init__(self, folder: Path, server: DevServer, monkeypatch, capsys) -> None:
        self.folder = folder
        self.server = server
        self._mp = monkeypatch
        self._capsys = capsys
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("CRON_SECRET", SECRET)
        monkeypatch.setenv("CRONCTL_RETRY_BASE", "0.005")
        monkeypatch.setenv("NO_COLOR", "1")
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        monkeypatch.chdir(folder)

    secret = SECRET
    job = staticmethod(job_yaml)

    def write(self, jobs: str, *, header: str = "") -> Path:
        text = (
            "version: 1\nproject: acme\n"
            f"base_url: {BASE}\n"
            "defaults:\n  headers:\n    Authorization: Bearer ${CRON_SECRET}\n"
            f"{header}"
            "jobs:\n" + jobs
        )
        path = self.folder / "schedules.yaml"
        path.write_text(text)
        return path

    def run(self, *args: str) -> Result:
        self._capsys.readouterr()
        code = main(list(args))
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def schedules(self) -> dict[str, dict]:
        return {s["scheduleId"]: s for s in self.server.schedules()}


@pytest.fixture
def dev() -> Iterator[DevServer]:
    with DevServer(memory=True) as server:
        yield server


@pytest.fixture
def project(tmp_path, dev, monkeypatch, capsys) -> Project:
    return Project(tmp_path, dev, monkeypatch, capsys)

