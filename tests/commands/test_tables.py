"""Tables a person reads: at 110 columns no job name is cut (two jobs never look the same);
counts read as English."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.operations

LONG = ("appointment-reminder-email-for-tomorrow-morning",
        "appointment-reminder-email-for-tomorrow-evening")


def _lines_fit(text: str, width: int) -> bool:
    return all(len(line) <= width for line in text.splitlines())


def test_list_local_and_stats_keep_whole_job_names_at_110_columns(ops, monkeypatch):
    jobs = "".join(ops.job(name, extra="timezone: America/Argentina/Buenos_Aires")
                   for name in LONG)
    ops.setup(jobs + ops.job("x"))
    monkeypatch.setenv("COLUMNS", "110")
    listed = ops.run("list", "--local")
    assert listed.code == 0
    stats = ops.run("stats")
    assert stats.code == 0
    for out in (listed.out, stats.out):
        assert all(name in out for name in LONG), out
        assert "…" not in out.split("\n", 1)[1].replace("in the last", "")
        assert _lines_fit(out, 110)
    assert "acme: 3 jobs" in listed.out
    assert "3 jobs, 0 runs, 0 failed" in stats.out and "- delivered" not in stats.out
    monkeypatch.setenv("COLUMNS", "60")  # narrower still: columns go, names stay whole
    narrow = ops.run("list", "--local")
    assert all(name in narrow.out for name in LONG)


def test_counts_read_as_english(ops):
    from cronctl.words import count

    assert [count(1, "business job"), count(2, "business job"), count(0, "retry"),
            count(1, "DLQ message"), count(3, "DLQ message")] == [
        "1 business job", "2 business jobs", "0 retries", "1 DLQ message", "3 DLQ messages"]
    ops.setup(ops.job("only"))
    assert "valid (0 infrastructure jobs, 1 business job)" in ops.run("validate").out
    stats = ops.run("stats", "--json")
    assert json.loads(stats.out)["summary"]["jobs"] == 1
    assert ops.run("stats").out.splitlines()[-1].startswith("1 job, 0 runs, 0 failed")


def test_stats_shows_progress_on_a_terminal_only(ops):
    import os
    import pty
    import select
    import subprocess
    import sys

    ops.setup("".join(ops.job(f"job-{i}") for i in range(3)))
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "cronctl", "stats"], cwd=ops.folder,
                              env=dict(os.environ), stderr=follower, stdout=subprocess.PIPE,
                              text=True, timeout=60)
        seen = b""
        while select.select([leader], [], [], 0.5)[0]:
            chunk = os.read(leader, 65536)
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 0
    assert b"reading QStash logs" in seen  # the bar, on the terminal (stderr)
    assert "reading QStash logs" not in proc.stdout and "3 jobs, 0 runs" in proc.stdout
    piped = ops.run("stats")  # no terminal: no bar
    assert "reading QStash logs" not in piped.out + piped.err


def test_list_beside_qstash_keeps_whole_job_names_at_110_columns(ops, monkeypatch):
    ops.setup("".join(ops.job(name, extra="timezone: America/Argentina/Buenos_Aires")
                      for name in LONG))
    monkeypatch.setenv("COLUMNS", "110")
    listed = ops.run("list")
    assert listed.code == 0, listed.err
    assert all(name in listed.out for name in LONG) and _lines_fit(listed.out, 110)
    assert "in sync" in listed.out
