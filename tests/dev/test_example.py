"""`cronctl dev` on the repository's own example, from a shell with nothing exported: the first of
the README's two commands (issue 33 item 4). It applies the file, tells the app which bearer to
check, and the jobs send it; an exported CRON_SECRET wins. A real `cronctl dev` subprocess, a
real app, and the CLI in a second terminal."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cronctl.dev import CRON_SECRET as DEV_SECRET
from cronctl.testing import ReceiverApp
from tests.dev.conftest import DevProcess, poll, second_terminal

REPO_ROOT = Path(__file__).resolve().parents[2]


def example(folder: Path) -> Path:
    for name in ("schedules.yaml", "vercel.json"):
        shutil.copy(REPO_ROOT / name, folder / name)
    return folder


def bearer_received(app: ReceiverApp, folder: Path, env: dict[str, str], run_in) -> str:
    result = run_in(folder, "trigger", "appointment-reminders", "--yes", "--wait", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    [got] = [r for r in app.requests if r.path == "/api/cron/appointment-reminders"]
    return got.headers["authorization"]


def test_nothing_exported_applies_the_example_and_tells_the_app_its_bearer(tmp_path, run_in):
    folder = example(tmp_path)
    with ReceiverApp() as app:
        env = second_terminal(APP_URL=app.url)  # where the app is; no CRON_SECRET anywhere
        dev = DevProcess(folder, [], env)
        try:
            poll(lambda: re.search(r"Applied 9 changes|not applied", dev.log()),
                 "the example applied", wait_s=120)
            assert "Applied 9 changes" in dev.log(), dev.log()
            assert f"export CRON_SECRET={DEV_SECRET}" in dev.log()
            assert bearer_received(app, folder, env, run_in) == f"Bearer {DEV_SECRET}"
        finally:
            dev.stop()


def test_an_exported_cron_secret_wins_and_the_banner_does_not_repeat_it(tmp_path, run_in):
    folder = example(tmp_path)
    mine = "a-secret-of-my-own-0123456789"
    with ReceiverApp() as app:
        dev = DevProcess(folder, [], second_terminal(APP_URL=app.url, CRON_SECRET=mine))
        try:
            poll(lambda: re.search(r"Applied 9 changes|not applied", dev.log()),
                 "the example applied", wait_s=120)
            assert "CRON_SECRET" not in dev.log().split("Ctrl-C")[0]
            env = second_terminal(APP_URL=app.url)  # the second terminal reads it from dev
            assert bearer_received(app, folder, env, run_in) == f"Bearer {mine}"
        finally:
            dev.stop()
