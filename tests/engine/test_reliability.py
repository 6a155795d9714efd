"""Faults, outages and concurrent runs: outcomes, never timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cronctl.testing import DevServer

pytestmark = pytest.mark.reliability


def many(project, n: int, schedule: str = "0 9 * * *") -> str:
    return "".join(project.job(f"job-{i:03d}", schedule=schedule) for i in range(n))


def converged(project, n: int) -> None:
    """QStash matches the file exactly: nothing to change, and no extra schedule."""
    diff = project.run("diff", "--exit-code")
    assert diff.code == 0, diff.out + diff.err
    rows = json.loads(project.run("list", "--json").out)["jobs"]
    assert len(rows) == n and {r["status"] for r in rows} == {"in sync"}


def test_twenty_percent_faults_converge_in_one_run(tmp_path, monkeypatch, capsys, request):
    project_cls = type(request.getfixturevalue("project"))
    with DevServer(memory=True, fault_rate=0.2, fault_seed=11) as server:
        project = project_cls(tmp_path, server, monkeypatch, capsys)
        project.write(many(project, 200))
        server.reset_counts()
        result = project.run("schedule", "--yes")
        assert result.code == 0, result.err
        assert server.request_count() > 1 + 200  # faults really happened, and were retried
        converged(project, 200)
        # A change of every job under faults: no stale field left behind.
        project.write(many(project, 200, schedule="15 9 * * *"))
        assert project.run("schedule", "--yes", "--force").code == 0
        converged(project, 200)


def test_server_down_exits_1_then_a_later_run_converges(project, monkeypatch):
    project.write(many(project, 5))
    url = project.server.url
    project.server.stop()
    down = project.run("schedule", "--yes")
    assert down.code == 1
    assert "could not be reached" in down.err and "Traceback" not in down.err
    with DevServer(memory=True) as server:
        monkeypatch.setenv("QSTASH_URL", server.url)
        project.server = server
        assert project.run("schedule", "--yes").code == 0
        converged(project, 5)
    assert url  # the first server really was another one


def test_two_processes_at_once_converge_without_duplicates(project):
    project.write(many(project, 60))
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-m", "cronctl", "schedule", "--yes"],
                              cwd=project.folder, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert len(project.schedules()) == 60
    converged(project, 60)
