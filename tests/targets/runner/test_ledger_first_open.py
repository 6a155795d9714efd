"""Processes that open a fresh SQLite ledger at the same moment (two `cronctl exec` wrapped
CronJobs starting together, a test beside a runner) all get it: switching a new database to WAL
takes a lock SQLite's busy timeout does not wait for, so the switch waits for it itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import runner_file


@pytest.mark.reliability
def test_execs_opening_a_fresh_ledger_together_all_run(tmp_path):
    runner_file(tmp_path, "\n".join(
        f"job{i}:\n  target: runner\n  command: [echo]\n  schedule: \"0 3 * * *\""
        for i in range(6)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRONCTL_", "CRON_"))}
    for _ in range(10):  # each round on a new ledger: the race is in its first open
        subprocess.run(["rm", "-rf", str(tmp_path / ".cronctl")], check=True)
        procs = [subprocess.Popen([sys.executable, "-m", "cronctl", "exec", f"job{i}", "--",
                                   "true"], cwd=tmp_path, env={**env, "NO_COLOR": "1"},
                                  stderr=subprocess.PIPE, text=True) for i in range(6)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        assert [code for code, _ in results] == [0] * 6, [err for _, err in results]
