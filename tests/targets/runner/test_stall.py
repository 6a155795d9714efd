"""After a stall the catch-up and overlap policies hold (issue 30, 3): a runner suspended
(SIGSTOP), overloaded or whose clock jumped fires only the newest run due meanwhile
(`catchup: latest`) and records the rest missed; and runs that came due while the ledger
could not be written are recorded once it can, the policy applied (not lost)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from cronctl.targets.runner.ledger import Ledger

from .conftest import runner_file
from .test_commands import _env


def _every(tmp_path, catchup: str = "latest", overlap: str = "forbid"):
    return runner_file(tmp_path, f"""
        beat:
          target: runner
          command: ["true"]
          schedule: "@every 2s"
          catchup: {catchup}
          overlap: {overlap}
    """)


def _outcomes(r, after_ms: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for row in r.ledger.runs(["beat"], since=after_ms + 1):
        out.setdefault(row.outcome, []).append(row.scheduled_at)
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("overlap", ["forbid", "allow"])
def test_a_stalled_loop_fires_only_the_newest_run(tmp_path, clock, make_runner, overlap):
    r = make_runner(_every(tmp_path, overlap=overlap))
    clock.advance(2)
    assert len(r.tick()) == 1
    r.wait_idle()
    before = clock.ms()
    clock.advance(12)  # suspended, a clock jump, or an overloaded machine: 6 times came due
    claimed = r.tick()
    r.wait_idle()
    seen = _outcomes(r, before)
    assert [x.scheduled_at for x in claimed] == [clock.ms() // 2000 * 2000]
    assert seen.get("succeeded") == [clock.ms() // 2000 * 2000]
    assert len(seen.get("missed", [])) == 5
    missed = r.ledger.runs(["beat"], outcomes=["missed"])[0]
    assert "stalled" in missed.error


def test_catchup_all_still_fires_each_and_none_only_the_newest(tmp_path, clock, make_runner):
    for policy, fired in (("all", 6), ("none", 1)):
        folder = tmp_path / policy
        folder.mkdir()
        r = make_runner(_every(folder, catchup=policy), db=str(folder / "l.sqlite3"))
        r.tick()
        before = clock.ms()
        clock.advance(12)
        r.tick()
        r.wait_idle()
        seen = _outcomes(r, before)
        assert len(seen.get("succeeded", [])) == fired, policy
        assert len(seen.get("missed", [])) == 6 - fired, policy


def test_sigstopped_runner_fires_no_burst_once_continued(tmp_path):
    _every(tmp_path)
    db = tmp_path / ".cronctl" / "runner.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "cronctl", "run", "--listen", ""],
                            cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

    opened: list[Ledger] = []

    def rows(**kw):
        if not opened and db.exists():
            opened.append(Ledger(str(db)))
        return opened[0].runs(["beat"], **kw) if opened else []

    def until(cond, what: str) -> None:
        deadline = time.monotonic() + 90
        while not cond():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)

    try:
        until(lambda: len(rows(outcomes=["succeeded"])) >= 2, "two runs")
        proc.send_signal(signal.SIGSTOP)
        stopped_ms = int(time.time() * 1000)
        time.sleep(12)  # the fault injected: 12 s suspended (six @every 2s times)
        resumed_ms = int(time.time() * 1000)
        proc.send_signal(signal.SIGCONT)
        until(lambda: any(x.scheduled_at > resumed_ms for x in rows()), "a run after resuming")
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    stall = [x for x in rows() if stopped_ms + 2000 < x.scheduled_at <= resumed_ms]
    opened[0].close()
    fired = [x for x in stall if x.outcome != "missed"]
    assert len(stall) >= 4
    assert len(fired) <= 1, [(x.run_id, x.outcome) for x in stall]


def test_runs_due_while_the_ledger_is_locked_are_recorded_when_it_is_back(
        tmp_path, clock, make_runner):
    r = make_runner(_every(tmp_path))
    r.ledger._conn.execute("PRAGMA busy_timeout=50")
    clock.advance(2)
    r.tick()
    r.wait_idle()
    before = clock.ms()
    blocker = sqlite3.connect(r.ledger.url, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a backup...)
    try:
        clock.advance(4)
        with pytest.raises(sqlite3.OperationalError):
            r.tick()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    clock.advance(2)
    r.tick()
    r.wait_idle()
    seen = _outcomes(r, before)
    times = [before + 2000, before + 4000, before + 6000]
    assert sorted(t for ts in seen.values() for t in ts) == times  # each one recorded
    assert seen.get("succeeded") == [times[-1]]  # catchup: latest
