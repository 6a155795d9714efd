"""Generic fixtures: the real CLI entry point, in-process and as a subprocess.

Every run happens in a fresh temporary folder with the environment variables cronctl reads
cleared, so a developer's shell (CRONCTL_CONFIG, APP_URL, GITHUB_ACTIONS ...) cannot leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from cronctl import output
from cronctl.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[1]

# pytest-xdist sets COLUMNS=80 and LINES=24 in its workers; the tests see the environment a
# plain `pytest` run has (a test that needs a width sets COLUMNS itself).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("COLUMNS", "LINES"):
        os.environ.pop(_name, None)



def pytest_collection_modifyitems(items):
    """Tests marked `long` first: pytest-xdist hands tests out in collection order, so a test
    that waits a minute starts at once and overlaps the others instead of ending the run."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


# Variables cronctl (or the example files) read; unset for every test unless a test sets them.
CLEARED_ENV = (
    "CRONCTL_CONFIG",
    "APP_URL",
    "CRON_SECRET",
    "QSTASH_TOKEN",
    "QSTASH_URL",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
    "VERCEL_TOKEN",
    "VERCEL_API_URL",
    "VERCEL_PROJECT_ID",
    "VERCEL_ORG_ID",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
    "GITHUB_TOKEN",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "CRONCTL_DATABASE_URL",
    "SUPABASE_DB_URL",
    "PG_CRON_DATABASE_URL",
)


@pytest.fixture(autouse=True)
def _private_state_folder(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """cronctl's per-user state (the saved-plan key) goes to a folder of the test's own, never
    to the developer's ~/.local/state; subprocesses inherit it."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    monkeypatch.delenv("CRONCTL_PLAN_KEY", raising=False)


class Result(NamedTuple):
    code: int
    out: str
    err: str


Env = Mapping[str, str | None]


def _apply_env(monkeypatch: pytest.MonkeyPatch, env: Env | None) -> None:
    for name, value in (env or {}).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with a clean cronctl environment."""
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    # The secret registry is process-global; start every test with an empty one.
    monkeypatch.setattr(output, "_scrubber", output.Scrubber())
    monkeypatch.setattr(output, "_no_color", False)
    return tmp_path


@pytest.fixture
def write_config(project_dir: Path) -> Callable[..., Path]:
    """Write (dedented) text to a file in the project folder; returns its path."""

    def write(text: str, name: str = "schedules.yaml") -> Path:
        path = project_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli(project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
        ) -> Callable[..., Result]:
    """Run `cronctl ARGS...` in-process through `cronctl.__main__.main`.

    `env` sets variables for this run (None unsets one). Returns (exit code, stdout, stderr).
    """

    def run(*args: str, env: Env | None = None) -> Result:
        capsys.readouterr()
        with monkeypatch.context() as mp:
            _apply_env(mp, env)
            code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def run_cronctl() -> Callable[..., Result]:
    """Run the real console entry point (`python -m cronctl ...`) in a subprocess."""

    def run(*args: str, cwd: Path, env: Env | None = None, timeout: float = 60) -> Result:
        full_env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
        full_env["NO_COLOR"] = "1"
        for name, value in (env or {}).items():
            if value is None:
                full_env.pop(name, None)
            else:
                full_env[name] = value
        proc = subprocess.run(
            [sys.executable, "-m", "cronctl", *map(str, args)],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes), for before/after comparisons."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """`snapshot(folder)`: a dict of every file and its bytes."""
    return listing


# -- a project synced against a real `cronctl dev` on loopback ----------------------------

SECRET = "s3cret-cron-value-do-not-print"
BASE = "https://app.example.com"


def job_yaml(name: str, *, schedule: str = "0 9 * * *", extra: str = "") -> str:
    text = (f"  {name}:\n    tier: business\n    path: /api/cron/{name}\n"
            f'    schedule: "{schedule}"\n')
    return text + "".join(f"    {line}\n" for line in extra.strip("\n").splitlines() if line)


class Project:
    """A schedules.yaml in a temporary folder, and the CLI run against a dev server."""

    def __init__(self, folder: Path, server, monkeypatch, capsys) -> None:
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
def dev():
    from cronctl.testing import DevServer

    with DevServer(memory=True) as server:
        yield server


@pytest.fixture
def project(tmp_path, dev, monkeypatch, capsys) -> Project:
    return Project(tmp_path, dev, monkeypatch, capsys)

