"""The scheduler loop on a frozen clock: real HTTP to a loopback app, real subprocesses, the
real SQLite ledger (two runners on one database on PostgreSQL too)."""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from cronctl import cron
from cronctl.targets.runner.ledger import Ledger

from .conftest import Clock, runner_file

SECRET = "s3cr3t-cron-value-0987"


def _rows(runner, job=None):
    return sorted(runner.ledger.runs([job] if job else None, limit=10_000),
                  key=lambda r: r.scheduled_at)


def test_http_job_fires_once_per_time_with_the_contract_headers(tmp_path, app, clock,
                                                                 make_runner, caplog):
    caplog.set_level(logging.INFO, "cronctl.runner")
    path = runner_file(tmp_path, """
        ping:
          target: runner
          path: /api/cron/ping
          schedule: "* * * * *"
          method: post
          body: {full: true}
          headers: {X-Token: forwarded-token-value-42}
    """, base_url=app.url)
    r = make_runner(path, env={"CRON_SECRET": SECRET})
    assert r.tick() == []  # 10:00:30: nothing due yet
    clock.advance(30)  # 10:01:00
    fired = r.tick()
    assert [x.run_id for x in fired] == ["ping@2026-03-02T10:01:00Z"]
    assert r.tick() == []  # the same minute is never claimed twice
    r.wait_idle()
    (req,) = app.requests
    assert req.path == "/api/cron/ping" and req.method == "POST"
    assert req.headers["authorization"] == f"Bearer {SECRET}"
    assert req.headers["x-cronctl-run-id"] == "ping@2026-03-02T10:01:00Z"
    assert req.headers["x-cronctl-scheduled-at"] == "2026-03-02T10:01:00Z"
    assert req.headers["content-type"] == "application/json"
    assert req.body == b'{"full":true}'
    (row,) = _rows(r)
    assert (row.outcome, row.http_status, row.attempts, row.triggered_by) == \
        ("succeeded", 200, 1, "schedule")
    # the secret is nowhere: not in the ledger, the logs or the metrics
    dump = repr([vars(x) for x in _rows(r)]) + repr(r.ledger.loaded())
    assert req.headers["x-token"] == "forwarded-token-value-42"
    for secret in (SECRET, "forwarded-token-value-42"):
        assert secret not in dump and secret not in caplog.text
        assert secret not in r.metrics.render()
    assert "run ping@2026-03-02T10:01:00Z succeeded (HTTP 200" in caplog.text


def test_command_jobs_record_exit_code_and_output_tail(tmp_path, clock, make_runner):
    path = runner_file(tmp_path, f"""
        ok:
          target: runner
          command: ["{sys.executable}", "-c",
                    "import os; print('hello', os.environ['CRONCTL_RUN_ID'])"]
          schedule: "* * * * *"
        bad:
          target: runner
          command: ["{sys.executable}", "-c", "import sys; print('boom'); sys.exit(3)"]
          schedule: "* * * * *"
    """)
    r = make_runner(path)
    clock.advance(30)
    r.tick()
    r.wait_idle()
    ok, = _rows(r, "ok")
    bad, = _rows(r, "bad")
    assert (ok.outcome, ok.exit_code, ok.result.strip()) == \
        ("succeeded", 0, "hello ok@2026-03-02T10:01:00Z")
    assert (bad.outcome, bad.exit_code, bad.error, bad.result.strip()) == \
        ("failed", 3, "exit code 3", "boom")


def test_a_timeout_sends_sigterm_then_sigkill(tmp_path, clock, make_runner):
    ignore_term = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                   "print('started', flush=True); time.sleep(60)")
    obey_term = "import time; time.sleep(60)"
    path = runner_file(tmp_path, f"""
        stubborn:
          target: runner
          command: ["{sys.executable}", "-c", "{ignore_term}"]
          schedule: "* * * * *"
          timeout: 1
        polite:
          target: runner
          command: ["{sys.executable}", "-c", "{obey_term}"]
          schedule: "* * * * *"
          timeout: 1
    """, runner="kill_grace: 1")
    r = make_runner(path)
    clock.advance(30)
    r.tick()
    r.wait_idle()
    stubborn, = _rows(r, "stubborn")
    polite, = _rows(r, "polite")
    assert (stubborn.outcome, stubborn.exit_code) == ("timeout", -9)
    assert "SIGTERM, then SIGKILL" in stubborn.error and "started" in stubborn.result
    assert (polite.outcome, polite.exit_code) == ("timeout", -15)


def _catchup(tmp_path, app, make_runner, policy: str, deadline: str = ""):
    db = str(tmp_path / f"{policy}.sqlite3")
    """A runner ran until 10:01, stopped, and a new one starts at 10:10:30."""
    path = runner_file(tmp_path, f"""
        job:
          target: runner
          path: /x
          schedule: "* * * * *"
          catchup: {policy}
          {deadline}
    """, base_url=app.url)
    first = Clock("2026-03-02T10:01:00Z")
    r1 = make_runner(path, clock=first, db=db)
    r1.started_ms -= 60_000
    r1.tick()
    r1.wait_idle()
    later = Clock("2026-03-02T10:10:30Z")
    r2 = make_runner(path, clock=later, db=db)
    r2.tick()
    r2.wait_idle()
    rows = _rows(r2)
    fired = [x.scheduled_at for x in rows if x.outcome == "succeeded"]
    missed = [x.scheduled_at for x in rows if x.outcome == "missed"]
    minute = lambda m: Clock(f"2026-03-02T10:{m:02d}:00Z").ms()  # noqa: E731
    return fired, missed, minute


def test_catchup_latest_fires_the_newest_missed_run_and_records_the_others(tmp_path, app,
                                                                          make_runner):
    fired, missed, minute = _catchup(tmp_path, app, make_runner, "latest")
    assert fired == [minute(1), minute(10)]
    assert missed == [minute(m) for m in range(2, 10)]
    assert len(app.requests) == 2


def test_catchup_all_fires_each_and_none_fires_none(tmp_path, app, make_runner):
    fired, missed, minute = _catchup(tmp_path, app, make_runner, "all")
    assert fired == [minute(m) for m in range(1, 11)] and missed == []
    fired, missed, minute = _catchup(tmp_path, app, make_runner, "none")
    assert fired == [minute(1)] and missed == [minute(m) for m in range(2, 11)]


def test_starting_deadline_bounds_the_catchup(tmp_path, app, make_runner):
    fired, missed, minute = _catchup(tmp_path, app, make_runner, "all",
                                     "starting_deadline: 3m")
    assert fired == [minute(1), minute(8), minute(9), minute(10)]
    assert missed == [minute(m) for m in range(2, 8)]


def _sleeper(tmp_path, overlap: str) -> str:
    return runner_file(tmp_path, f"""
        slow:
          target: runner
          command: ["{sys.executable}", "-c", "import time; time.sleep(30)"]
          schedule: "* * * * *"
          overlap: {overlap}
    """, runner="kill_grace: 1")


def test_overlap_forbid_skips_and_allow_runs_both(tmp_path, clock, make_runner):
    r = make_runner(_sleeper(tmp_path, "forbid"))
    clock.advance(30)
    assert len(r.tick()) == 1
    clock.advance(60)
    assert r.tick() == []
    rows = _rows(r)
    assert [x.outcome for x in rows] == ["running", "skipped"]
    assert "slow@2026-03-02T10:01:00Z is still running (overlap: forbid)" in rows[1].error

    r2 = make_runner(_sleeper(tmp_path / "..", "allow"), db=str(tmp_path / "allow.sqlite3"))
    clock.advance(60)
    assert len(r2.tick()) == 1
    clock.advance(60)
    assert len(r2.tick()) == 1
    assert [x.outcome for x in _rows(r2)] == ["running", "running"]


def test_overlap_replace_stops_the_running_one(tmp_path, clock, make_runner):
    r = make_runner(_sleeper(tmp_path, "replace"))
    clock.advance(30)
    r.tick()
    clock.advance(60)
    assert len(r.tick()) == 1
    deadline = time.monotonic() + 20
    while _rows(r)[0].outcome == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    first, second = _rows(r)
    assert first.outcome == "cancelled" and "replaced" in first.error
    assert second.outcome == "running"


def test_retries_back_off_exponentially(tmp_path, app, clock, make_runner):
    app.respond([500, 503, 200])
    path = runner_file(tmp_path, """
        flaky:
          target: runner
          path: /x
          schedule: "* * * * *"
          retries: 3
          retry_backoff: 5s
    """, base_url=app.url)
    sleeps: list[float] = []
    r = make_runner(path, sleeps=sleeps)
    clock.advance(30)
    r.tick()
    r.wait_idle()
    row, = _rows(r)
    assert (row.outcome, row.attempts, row.http_status) == ("succeeded", 3, 200)
    assert sleeps == [5, 10]
    assert [q.headers["x-cronctl-attempt"] for q in app.requests] == ["1", "2", "3"]
    assert len({q.headers["x-cronctl-run-id"] for q in app.requests}) == 1


def test_pause_after_failures_and_a_resume_without_a_burst(tmp_path, app, clock, make_runner):
    app.respond(500)
    path = runner_file(tmp_path, """
        failing:
          target: runner
          path: /x
          schedule: "* * * * *"
          pause_after_failures: 2
    """, base_url=app.url)
    r = make_runner(path)
    for _ in range(2):
        clock.advance(60)
        r.tick()
        r.wait_idle()
    state = r.ledger.states()["failing"]
    assert state.paused and state.failures == 2
    for _ in range(5):  # paused: nothing fires
        clock.advance(60)
        assert r.tick() == []
    assert r.ledger.set_paused("failing", False, clock.ms())
    app.respond(200)
    assert r.tick() == []  # the five runs missed while paused are not fired
    clock.advance(60)
    assert len(r.tick()) == 1
    r.wait_idle()
    assert [x.outcome for x in _rows(r)] == ["failed", "failed", "succeeded"]


def test_dst_gap_and_overlap_fire_as_the_kubernetes_dialect_says(tmp_path, make_runner):
    path = runner_file(tmp_path, f"""
        gap:
          target: runner
          command: ["{sys.executable}", "-c", "pass"]
          schedule: "30 2 * * *"
          timezone: America/New_York
          catchup: all
        overlap:
          target: runner
          command: ["{sys.executable}", "-c", "pass"]
          schedule: "30 1 * * *"
          timezone: America/New_York
          catchup: all
    """)
    for start, days in (("2026-03-06T12:00:00Z", 4), ("2026-10-30T12:00:00Z", 4)):
        db = tmp_path / f"{start[:10]}.sqlite3"
        clk = Clock(start)
        r = make_runner(path, clock=clk, db=str(db))
        for _ in range(days * 24):  # hour by hour across the change
            clk.advance(3600)
            r.tick()
            r.wait_idle()
        for name, expr in (("gap", "30 2 * * *"), ("overlap", "30 1 * * *")):
            expected = cron.get_dialect("kubernetes").next_runs(
                expr, "America/New_York", days + 3,
                datetime.fromisoformat(start.replace("Z", "+00:00")))
            got = [x.scheduled_at for x in _rows(r, name)]
            assert got == [int(e.timestamp() * 1000) for e in expected
                           if e.timestamp() <= clk.t], (name, start)
            assert all(x.outcome == "succeeded" for x in _rows(r, name))
            local = [datetime.fromtimestamp(x.scheduled_at / 1000, ZoneInfo(
                "America/New_York")).strftime("%m-%d %H:%M%z") for x in _rows(r, name)]
            if (name, start[5:7]) == ("gap", "03"):  # 2:30 does not exist on March 8
                assert "03-08" not in " ".join(local) and "03-09 02:30-0400" in local
            if (name, start[5:7]) == ("overlap", "10"):  # 1:30 happens twice on November 1
                assert [x for x in local if x.startswith("11-01")] == \
                    ["11-01 01:30-0400", "11-01 01:30-0500"]


def test_two_runners_on_one_database_fire_each_run_once(tmp_path, app, db_url, make_runner):
    jobs = "\n".join(f"""
        j{i}:
          target: runner
          path: /j{i}
          schedule: "* * * * *"
          overlap: allow""" for i in range(4))
    path = runner_file(tmp_path, jobs, base_url=app.url)
    clk = Clock()
    a = make_runner(path, db=db_url, clock=clk, replica="a")
    b = make_runner(path, db=db_url, clock=clk, replica="b")
    won = {"a": 0, "b": 0}
    for minute in range(15):
        clk.advance(60)
        for name, r in (("b", b), ("a", a)) if minute % 2 else (("a", a), ("b", b)):
            won[name] += len(r.tick())
        a.wait_idle()  # runs end within their lease, as they do on a real clock
        b.wait_idle()
    a.wait_idle()
    b.wait_idle()
    ids = [q.headers["x-cronctl-run-id"] for q in app.requests]
    assert len(ids) == len(set(ids)) == 60
    assert won["a"] + won["b"] == 60 and won["a"] > 0 and won["b"] > 0
    rows = Ledger(db_url).runs(limit=1000)
    assert len(rows) == 60 and {x.outcome for x in rows} == {"succeeded"}


def test_a_dead_replicas_run_is_abandoned_and_frees_forbid(tmp_path, app, clock, make_runner):
    path = runner_file(tmp_path, """
        job:
          target: runner
          path: /x
          schedule: "* * * * *"
    """, base_url=app.url, runner="lease: 30s")
    r = make_runner(path)
    # a replica claimed 10:01 and was SIGKILLed: its lease ends at 10:01:30
    dead = r.worker.row(r.jobs["job"], Clock("2026-03-02T10:01:00Z").ms())
    dead.replica, dead.lease_until = "killed", Clock("2026-03-02T10:01:30Z").ms()
    r.ledger.claim([dead])
    clock.t = Clock("2026-03-02T10:02:00Z").t
    fired = r.tick()
    r.wait_idle()
    rows = _rows(r)
    assert [x.outcome for x in rows] == ["abandoned", "succeeded"]
    assert "killed stopped renewing its lease" in rows[0].error
    assert [x.run_id for x in fired] == ["job@2026-03-02T10:02:00Z"]
    assert r.ledger.states()["job"].failures == 0  # abandoned counted, then the success


def test_the_runner_follows_file_edits_and_keeps_running_through_a_broken_one(
        tmp_path, app, clock, make_runner, caplog):
    caplog.set_level(logging.INFO, "cronctl.runner")
    one = """
        a:
          target: runner
          path: /a
          schedule: "* * * * *"
    """
    path = runner_file(tmp_path, one, base_url=app.url)
    r = make_runner(path)
    import os
    runner_file(tmp_path, one + """
        b:
          target: runner
          path: /b
          schedule: "* * * * *"
    """, base_url=app.url)
    os.utime(path, ns=(1, 1))
    assert r.tick() == []  # loads b at 10:00:30
    clock.advance(30)
    assert sorted(x.job for x in r.tick()) == ["a", "b"]
    assert "schedules.yaml: job b added" in caplog.text
    assert sorted(r.ledger.loaded()) == ["a", "b"]
    r.wait_idle()
    path.write_text(path.read_text() + "    overlap: sometimes\n")
    clock.advance(60)
    assert sorted(x.job for x in r.tick()) == ["a", "b"]
    assert "has errors; still running the 2 jobs" in caplog.text
    r.wait_idle()


def test_every_is_anchored_so_replicas_started_apart_agree(tmp_path, app, db_url, make_runner):
    path = runner_file(tmp_path, """
        often:
          target: runner
          path: /x
          schedule: "@every 2s"
          overlap: allow
    """, base_url=app.url)
    first = Clock("2026-03-02T10:00:00.300Z")
    a = make_runner(path, db=db_url, clock=first, replica="a")
    second = Clock("2026-03-02T10:00:01.700Z")  # started a second and a half later
    b = make_runner(path, db=db_url, clock=second, replica="b")
    for _ in range(10):
        first.advance(1)
        second.t = first.t
        a.tick()
        b.tick()
        a.wait_idle()
        b.wait_idle()
    times = [x.scheduled_at for x in _rows(a)]
    assert len(times) == len(set(times)) == 5
    assert all(t % 2000 == 0 for t in times)  # multiples of the period: one series
    assert len(app.requests) == 5


def test_jitter_delays_each_run_by_a_share_taken_from_its_run_id(tmp_path, app, clock,
                                                                make_runner):
    from cronctl.targets.runner.worker import jitter_share

    path = runner_file(tmp_path, """
        spread:
          target: runner
          path: /x
          schedule: "* * * * *"
          jitter: 40s
    """, base_url=app.url)
    sleeps: list[float] = []
    r = make_runner(path, sleeps=sleeps)
    ids = []
    for _ in range(3):
        clock.advance(60)
        ids += [x.run_id for x in r.tick()]
        r.wait_idle()
    assert sleeps == [40 * jitter_share(i) for i in ids]
    assert len(set(sleeps)) == 3 and all(0 <= s < 40 for s in sleeps)
    assert len(app.requests) == 3
