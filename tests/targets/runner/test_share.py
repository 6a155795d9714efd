"""Replicas share a busy minute's runs (issue 31): each claims its own share first, the others'
one tick later (theirs by then, unless a replica is gone), and every run still fires once."""

from __future__ import annotations

from cronctl.targets.runner.share import owner

from .conftest import runner_file

JOBS = 30


def _file(tmp_path, url):
    return runner_file(tmp_path, "".join(
        f"j{i:02d}:\n  target: runner\n  path: /j/{i}\n  schedule: \"* * * * *\"\n"
        for i in range(JOBS)), base_url=url)


def _alive_together(clock, runners):
    """Every replica's heartbeat written, then every replica reads them all."""
    for r in runners:
        r.tick()
    clock.advance(11)  # past the housekeeping interval (lease 30 s / 3)
    for r in runners:
        r.tick()


def test_three_replicas_each_claim_only_their_share_of_a_busy_minute(tmp_path, app, clock,
                                                                     db_url, make_runner):
    path = _file(tmp_path, app.url)
    runners = [make_runner(path, db=db_url, replica=name) for name in ("a", "b", "c")]
    _alive_together(clock, runners)
    clock.advance(60 - clock.t % 60 + 1)  # the next minute: all 30 jobs due
    claimed = {r.replica: [x.run_id for x in r.tick()] for r in runners}
    clock.advance(1)
    for r in runners:  # the held-back shares: already claimed by their owners
        assert r.tick() == []
        r.wait_idle()
    places = sorted(claimed)
    for name, ids in claimed.items():
        assert len(ids) < JOBS
        assert all(owner(i, 3) == places.index(name) for i in ids)
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == len(set(every)) == JOBS
    assert sum(len(ids) > 0 for ids in claimed.values()) == 3  # all three did some
    assert sorted(req.headers["x-cronctl-run-id"] for req in app.requests) == sorted(every)


def test_a_silent_replicas_share_is_claimed_one_tick_later(tmp_path, app, clock, db_url,
                                                           make_runner):
    path = _file(tmp_path, app.url)
    a, b = (make_runner(path, db=db_url, replica=name) for name in ("a", "b"))
    _alive_together(clock, [a, b])
    clock.advance(60 - clock.t % 60 + 1)
    first = [x.run_id for x in a.tick()]  # b is still in the ledger but never ticks again
    assert 0 < len(first) < JOBS
    clock.advance(1)
    second = [x.run_id for x in a.tick()]
    a.wait_idle()
    assert len(first) + len(second) == len(set(first + second)) == JOBS
    assert len(app.requests) == JOBS


def test_runs_due_within_the_lead_are_claimed_ahead_and_start_at_their_time(tmp_path, app,
                                                                           clock, make_runner):
    from cronctl.targets.runner.ledger import Ledger
    from cronctl.targets.runner.loop import Runner

    path = runner_file(tmp_path, """
        free:
          target: runner
          path: /free
          schedule: "* * * * *"
        busy:
          target: runner
          path: /busy
          schedule: "* * * * *"
        swap:
          target: runner
          path: /swap
          schedule: "* * * * *"
          overlap: replace
    """, base_url=app.url)
    sleeps: list[float] = []
    r = Runner(path, env={}, clock=clock, ledger=Ledger(str(tmp_path / "l.sqlite3")),
               sleep=lambda s: sleeps.append(s) or True, lead=1.0)
    try:
        clock.advance(60 - clock.t % 60 - 0.999)  # 10:00:59.001: the 10:01:00 runs are within
        ahead = r.tick()
        # `busy` (forbid) with no run running and `free` are claimed ahead; `replace` waits
        assert sorted(x.job for x in ahead) == ["busy", "free"]
        r.wait_idle()
        assert sorted(round(s, 3) for s in sleeps) == [0.999, 0.999]  # each waited its time
        clock.advance(1)  # 10:01:00.001
        assert [x.job for x in r.tick()] == ["swap"]
        clock.advance(1)
        assert r.tick() == []  # none twice
        r.wait_idle()
        assert sorted(req.path for req in app.requests) == ["/busy", "/free", "/swap"]
    finally:
        r.shutdown(grace=0)
