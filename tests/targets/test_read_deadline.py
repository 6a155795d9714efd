"""The overall deadline of read commands (issue 24), at the real default: `diff`, `list`,
`stats` and `logs` against servers that trickle their answers one byte at a time end in one
clear error naming the 60 s deadline and how to raise it, not minutes later.

Only the retry backoff is shortened here (CRONCTL_RETRY_BASE); CRONCTL_DEADLINE is unset, so
the default is what is tested. The commands run side by side, so the test waits one deadline,
not one per command. The subprocess timeout only guards the test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CLEARED_ENV

pytestmark = pytest.mark.hardening

QSTASH_JOBS = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  a:
    tier: business
    path: /api/cron/a
    schedule: "0 9 * * *"
  b:
    tier: business
    path: /api/cron/b
    schedule: "0 10 * * *"
"""

VERCEL_JOBS = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  beat:
    tier: infrastructure
    path: /api/beat
    schedule: "0 6 * * *"
"""


def _start(args: tuple[str, ...], folder: Path, env: dict[str, str]) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV
            and k != "CRONCTL_DEADLINE"}
    full.update(NO_COLOR="1", CRONCTL_RETRY_BASE="0.005", **env)
    return subprocess.Popen([sys.executable, "-m", "cronctl", *args], cwd=folder, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.long
def test_read_commands_give_up_at_the_default_deadline_of_60_s(kit, tmp_path):
    qstash_dir, vercel_dir = tmp_path / "qstash", tmp_path / "vercel"
    for folder, text in ((qstash_dir, QSTASH_JOBS), (vercel_dir, VERCEL_JOBS)):
        folder.mkdir()
        (folder / "schedules.yaml").write_text(text)
    drip = kit.drip(every=0.5, total=100_000)  # 14 hours for the whole answer
    with kit.Hostile({"GET /v2/*": drip, "GET /v9/*": drip}) as srv:
        qstash = {"QSTASH_URL": srv.url, "QSTASH_TOKEN": "hostile-test-token-0123456789"}
        vercel = {"VERCEL_TOKEN": "hostile-vercel-token-0123", "VERCEL_PROJECT_ID": "prj_x",
                  "VERCEL_API_URL": srv.url}
        runs = {
            "diff": _start(("diff",), qstash_dir, qstash),
            "list": _start(("list",), qstash_dir, qstash),
            "stats": _start(("stats",), qstash_dir, qstash),
            "logs": _start(("logs", "a"), qstash_dir, qstash),
            "list (Vercel API)": _start(("list",), vercel_dir, vercel),
        }
        results = {name: proc.communicate(timeout=240) for name, proc in runs.items()}
    for name, (out, err) in results.items():
        assert runs[name].returncode == 1, (name, out, err)
        assert "Traceback" not in err and "internal error" not in err, (name, err)
        assert "within 60 s (the overall deadline for reading" in err, (name, err)
        assert "CRONCTL_DEADLINE=SECONDS allows longer" in err, (name, err)
        assert err.count("error:") == 1, (name, err)


@pytest.mark.long
def test_logs_follow_gives_each_poll_its_own_deadline(kit, tmp_path):
    """--follow reads for as long as it runs: the read deadline bounds each poll, never the
    sum of them. The server holds each poll 0.7 s on its side; the deadline, set through
    CRONCTL_DEADLINE, is 10 s: a shared deadline would end it at about the 14th poll, before
    the 16 this waits for, while a poll has 9 s to spare for a loaded machine (at load 25 one
    took over 2 s, and a 2 s deadline raced it). Only the count of polls is asserted."""
    import json
    import signal
    import time

    def slow_page(h) -> None:
        time.sleep(0.7)
        kit.json_answer({"events": [], "cursor": ""})(h)

    (tmp_path / "schedules.yaml").write_text(QSTASH_JOBS)
    with kit.Hostile({"GET /v2/events": slow_page,
                      "GET /v2/schedules": kit.json_answer([])}) as srv:
        env = {"QSTASH_URL": srv.url, "QSTASH_TOKEN": "hostile-test-token-0123456789",
               "CRONCTL_DEADLINE": "10", "CRONCTL_POLL_INTERVAL": "0.01"}
        proc = _start(("logs", "a", "--follow", "--json"), tmp_path, env)
        try:
            guard = time.monotonic() + 120  # only guards the test run
            while (sum(p.startswith("/v2/events") for _, p, _ in srv.requests) < 16
                   and proc.poll() is None and time.monotonic() < guard):
                time.sleep(0.05)
            still_running = proc.poll() is None
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
    assert still_running, err
    assert proc.returncode == 130, err
    assert "deadline" not in err and "Traceback" not in err, err
    assert all(json.loads(line) for line in out.splitlines())
