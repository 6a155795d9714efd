"""Replicas starting together on a fresh ledger, and following the same edit of
schedules.yaml (issue 30, 9): creating the schema and recording the job set are safe under
concurrency, on both databases."""

from __future__ import annotations

import threading

from cronctl.targets.runner.ledger import Ledger

REPLICAS = 9


def _together(fn, n: int = REPLICAS) -> list[BaseException]:
    """Run fn(i) in n threads released at once; the errors they raised."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        start.wait()
        try:
            fn(i)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_replicas_started_together_on_a_fresh_ledger(db_url):
    specs = {f"job{j}": {"schedule": f"{j} * * * *"} for j in range(30)}
    ledgers: list[Ledger | None] = [None] * REPLICAS

    def start(i: int) -> None:
        ledgers[i] = Ledger(db_url)
        ledgers[i].record_loaded(specs, f"r{i}", 1000 + i)

    try:
        assert _together(start) == []
        assert ledgers[0].loaded() == specs
    finally:
        for lg in ledgers:
            if lg is not None:
                lg.close()


def test_replicas_following_the_same_edit(db_url):
    ledgers = [Ledger(db_url) for _ in range(REPLICAS)]
    try:
        old = {f"job{j}": {"schedule": "* * * * *"} for j in range(30)}
        ledgers[0].record_loaded(old, "r0", 1)
        for round_ in range(5):  # each edit: some jobs changed, one removed, one added
            new = {f"job{j}": {"schedule": f"{round_} * * * *"} for j in range(round_, 30)}
            new[f"new{round_}"] = {"schedule": "@hourly"}
            assert _together(lambda i, new=new: ledgers[i].record_loaded(new, f"r{i}", 2)) \
                == []
            assert ledgers[0].loaded() == new
    finally:
        for lg in ledgers:
            lg.close()


def test_failures_ended_on_several_replicas_at_once_all_count(db_url):
    ledgers = [Ledger(db_url) for _ in range(REPLICAS)]
    try:
        ledgers[0].record_outcome("x", True, 1, None)  # the job's state row exists
        for _round in range(3):
            assert _together(lambda i: ledgers[i].record_outcome("x", False, 2, None)) == []
        assert ledgers[0].states()["x"].failures == 3 * REPLICAS
    finally:
        for lg in ledgers:
            lg.close()
