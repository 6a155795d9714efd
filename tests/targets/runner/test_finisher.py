"""The runner's batched finish writer: ends recorded in batches, off the run threads, yet no
decision (overlap, expiry, streaks, stop) sees an ended run as running. Real ledgers (SQLite
and PostgreSQL), real HTTP to a loopback app, real subprocesses."""

from __future__ import annotations

import sys
import threading

from cronctl.targets.runner.ledger import Ledger

from .conftest import runner_file


def test_record_outcomes_in_a_batch_keeps_each_jobs_order(db_url):
    lg = Ledger(db_url)
    for job in ("ok", "streak", "flaky"):
        lg.record_outcome(job, True, 1, pause_after=None)
    lg.record_outcome("streak", False, 2, pause_after=None)
    got = lg.record_outcomes([
        ("ok", True, 10, None),       # the common case: one batched statement
        ("streak", True, 11, None),   # ends a streak of 1
        ("flaky", False, 12, 2),      # fails, then fails (pauses), then succeeds
        ("flaky", False, 13, 2),
        ("new", True, 14, None),      # no state row yet
        ("flaky", True, 15, 2),
        ("ok", True, 16, None),
    ])
    assert got == [(0, False), (1, False), (0, False), (1, True), (0, False), (2, False),
                   (0, False)]
    states = lg.states()
    assert states["ok"].last_success == 16 and states["new"].last_success == 14
    assert (states["flaky"].failures, states["flaky"].paused) == (0, True)
    assert (states["streak"].failures, states["streak"].last_success) == (0, 11)
    lg.close()


def test_first_successes_of_new_jobs_are_recorded_in_the_batch_not_one_by_one(db_url,
                                                                             monkeypatch):
    lg = Ledger(db_url)
    careful = []
    original = lg._streak
    monkeypatch.setattr(lg, "_streak", lambda *a: careful.append(a[0]) or original(*a))
    lg.record_outcome("failing", False, 1, pause_after=None)
    careful.clear()
    runs = [(f"new{i}", True, 100 + i, None) for i in range(50)] + [("failing", True, 200, None)]
    assert lg.record_outcomes(runs) == [(0, False)] * 50 + [(1, False)]
    assert careful == ["failing"]  # only the job with a streak to reset went run by run
    states = lg.states()
    assert [states[f"new{i}"].last_success for i in range(50)] == [100 + i for i in range(50)]
    assert states["failing"].failures == 0
    lg.close()


def _fast_jobs(tmp_path, url, n, overlap="allow"):
    return runner_file(tmp_path, "".join(f"""
        j{i}:
          target: runner
          path: /j/{i}
          schedule: "* * * * *"
          overlap: {overlap}
    """ for i in range(n)), base_url=url)


def _held(runner):
    """Hold the writer in its first batch until released (the runs' ends queue meanwhile)."""
    real, release, batches = runner.ledger.finish_many, threading.Event(), []

    def finish_many(rows):
        batches.append(len(rows))
        release.wait(30)
        return real(rows)

    runner.ledger.finish_many = finish_many
    return release, batches


def test_ends_are_written_in_batches_and_all_recorded(tmp_path, app, clock, make_runner,
                                                      db_url):
    r = make_runner(_fast_jobs(tmp_path, app.url, 12), db=db_url)
    release, batches = _held(r)
    clock.advance(30)
    assert len(r.tick()) == 12
    while r.worker.local or len(batches) != 1:  # every run ended; one end being written
        threading.Event().wait(0.01)
    release.set()
    r.wait_idle()
    assert sum(batches) == 12 and len(batches) <= 2  # the eleven or so queued: one write
    rows = r.ledger.runs(limit=100)
    assert [x.outcome for x in rows] == ["succeeded"] * 12
    assert all(x.lease_until is None and x.http_status == 200 for x in rows)
    assert {s.last_success for s in r.ledger.states().values()} == {clock.ms()}


def _queued_end_then_a_minute_later(tmp_path, make_runner, clock, db_url, *, expire: bool):
    path = runner_file(tmp_path, f"""
        quick:
          target: runner
          command: ["{sys.executable}", "-c", "pass"]
          schedule: "* * * * *"
          overlap: forbid
    """, runner="lease: 30s" if expire else "lease: 5m")  # 5m: still leased a minute later
    r = make_runner(path, db=db_url)
    release, batches = _held(r)
    clock.advance(30)
    assert len(r.tick()) == 1
    if not expire:  # only the overlap check reads the running rows on the next tick
        r._housekeeping_at = 10**15
    while r.worker.local or not batches:  # it ended; its end is queued, not yet written
        threading.Event().wait(0.01)
    threading.Timer(0.2, release.set).start()
    clock.advance(60)
    claimed = r.tick()
    r.wait_idle()
    return claimed, [x.outcome for x in r.ledger.runs(limit=10)]


def test_forbid_sees_a_queued_end_as_ended(tmp_path, clock, make_runner, db_url):
    claimed, outcomes = _queued_end_then_a_minute_later(tmp_path, make_runner, clock, db_url,
                                                        expire=False)
    assert len(claimed) == 1  # the tick waited for the write: not skipped
    assert outcomes == ["succeeded", "succeeded"]


def test_a_queued_end_is_not_expired_as_abandoned(tmp_path, clock, make_runner, db_url):
    claimed, outcomes = _queued_end_then_a_minute_later(tmp_path, make_runner, clock, db_url,
                                                        expire=True)
    assert len(claimed) == 1 and outcomes == ["succeeded", "succeeded"]


def test_stop_records_every_queued_end(tmp_path, app, clock, db_url):
    from cronctl.targets.runner.loop import Runner

    r = Runner(_fast_jobs(tmp_path, app.url, 5), env={}, clock=clock, ledger=Ledger(db_url))
    release, batches = _held(r)
    clock.advance(30)
    r.tick()
    while r.worker.local or not batches:
        threading.Event().wait(0.01)
    threading.Timer(0.2, release.set).start()
    r.shutdown(grace=5)
    lg = Ledger(db_url)
    assert [x.outcome for x in lg.runs(limit=10)] == ["succeeded"] * 5
    lg.close()
