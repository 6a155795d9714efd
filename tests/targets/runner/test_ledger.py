"""The ledger on real SQLite and real PostgreSQL: the claim, leases, pause state, retention."""

from __future__ import annotations

import threading

from cronctl.targets.runner.ledger import Ledger
from cronctl.targets.runner.records import Execution

MIN = 60_000


def _row(job: str, at: int, replica: str = "a", lease: int = 10**13) -> Execution:
    return Execution(run_id=f"{job}@{at}", job=job, scheduled_at=at, triggered_by="schedule",
                     replica=replica, started_at=at, lease_until=lease)


def test_one_claim_per_job_and_scheduled_time(db_url):
    a, b = Ledger(db_url), Ledger(db_url)  # two replicas, two connections
    try:
        assert [r.run_id for r in a.claim([_row("x", MIN), _row("y", MIN)])] == \
            ["x@60000", "y@60000"]
        # the other replica's claim of the same runs does nothing; a new time is a new run
        won = b.claim([_row("x", MIN, "b"), _row("y", MIN, "b"), _row("x", 2 * MIN, "b")])
        assert [r.run_id for r in won] == ["x@120000"]
        assert a.get("x@60000").replica == "a"
        assert a.get("x@120000").replica == "b"
    finally:
        a.close()
        b.close()


def test_racing_replicas_claim_each_run_exactly_once(db_url):
    ledgers = [Ledger(db_url) for _ in range(3)]
    wins: list[list[str]] = [[] for _ in ledgers]
    start = threading.Barrier(len(ledgers))

    def replica(i: int) -> None:
        start.wait()
        for minute in range(40):
            won = ledgers[i].claim([_row(f"job{j}", minute * MIN, f"r{i}") for j in range(5)])
            wins[i].extend(r.run_id for r in won)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(len(ledgers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [w for ws in wins for w in ws]
    assert len(everything) == len(set(everything)) == 200
    assert len(ledgers[0].runs(limit=1000)) == 200
    for lg in ledgers:
        lg.close()


def test_an_expired_lease_is_recorded_abandoned_and_frees_the_job(db_url):
    lg = Ledger(db_url)
    lg.claim([_row("x", MIN, lease=5 * MIN)])
    assert [r.run_id for r in lg.running("x", 4 * MIN)] == ["x@60000"]
    assert lg.expire(4 * MIN) == []  # still leased
    assert lg.heartbeat(["x@60000"], 6 * MIN) == set()  # renewed
    assert lg.expire(5 * MIN + 1) == []
    dead = lg.expire(6 * MIN + 1)
    assert [d.run_id for d in dead] == ["x@60000"]
    row = lg.get("x@60000")
    assert (row.outcome, row.finished_at) == ("abandoned", 6 * MIN)
    assert "stopped renewing" in row.error
    assert lg.running("x", 6 * MIN + 1) == []
    # a late finish by the killed replica does not overwrite the verdict
    row.outcome = "succeeded"
    lg.finish(row)
    assert lg.get("x@60000").outcome == "abandoned"
    lg.close()


def test_cancel_requests_reach_the_heartbeat(db_url):
    lg = Ledger(db_url)
    lg.claim([_row("x", MIN)])
    lg.request_cancel(["x@60000"])
    assert lg.heartbeat(["x@60000"], 10**13) == {"x@60000"}
    lg.close()


def test_failure_streak_pauses_and_resume_resets(db_url):
    lg = Ledger(db_url)
    assert lg.record_outcome("x", False, 1, pause_after=3) == (0, False)
    assert lg.record_outcome("x", False, 2, pause_after=3) == (1, False)
    assert lg.record_outcome("x", False, 3, pause_after=3) == (2, True)
    state = lg.states()["x"]
    assert state.paused and state.failures == 3 and "3 failed runs" in state.reason
    assert lg.set_paused("x", False, 100) is True
    assert lg.set_paused("x", False, 101) is False  # already running
    state = lg.states()["x"]
    assert (state.paused, state.failures, state.resumed_at) == (False, 0, 100)
    assert lg.record_outcome("x", True, 200, pause_after=3) == (0, False)
    assert lg.states()["x"].last_success == 200
    lg.close()


def test_retention_keeps_the_newest_runs_of_each_job(db_url):
    lg = Ledger(db_url)
    day = 86_400_000
    for i in range(10):
        row = _row("old", i * MIN)
        row.outcome = "succeeded"
        lg.claim([row])
    lg.claim([_row("old", 11 * MIN)])  # running: never pruned
    assert lg.prune(now=100 * day, keep_days=90, keep_min_runs=3) == 8
    left = sorted(r.scheduled_at for r in lg.runs(["old"]))
    assert left == [8 * MIN, 9 * MIN, 11 * MIN]  # the newest three, the running one too
    lg.close()


def test_loaded_jobs_and_last_scheduled(db_url):
    lg = Ledger(db_url)
    lg.record_loaded({"a": {"schedule": "* * * * *"}, "b": {"schedule": "0 * * * *"}}, "r1", 5)
    lg.record_loaded({"a": {"schedule": "*/5 * * * *"}}, "r2", 6)
    assert lg.loaded() == {"a": {"schedule": "*/5 * * * *"}}
    lg.claim([_row("a", MIN), _row("a", 3 * MIN)])
    assert lg.last_scheduled(["a", "b"]) == {"a": 3 * MIN}
    lg.close()


def test_a_broken_postgresql_connection_is_noticed_and_replaced(pg_url):
    import psycopg
    import pytest

    lg = Ledger(pg_url)
    pid = lg._query("SELECT pg_backend_pid()")[0][0]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError):
        lg.states()
    assert not lg.healthy()
    lg.reconnect()
    assert lg.healthy() and lg.states() == {}
    lg.close()
