"""The watch's episodes, decided from a report alone (watch.episodes), and what a failover run
does to a slot: late (the provider missed it), and a duplicate beside a late provider run."""

from __future__ import annotations

from cronctl.targets.runner.watch import episodes
from tests.verify.test_match import AT, MIN, judge, run


def kinds(runs, **kw):
    found = episodes(judge(runs, **kw))
    return {job: (kind, slot.slot.scheduled_ms, n) for job, (kind, slot, n) in found.items()}


def test_all_healthy_is_no_episode():
    assert kinds([run(t) for t in AT]) == {}


def test_a_streak_of_problems_opens_at_its_first_slot():
    runs = [run(AT[0]), run(AT[1]), run(AT[2], outcome="failed")]
    assert kinds(runs) == {"job": ("problem", AT[2], 3)}  # 08:30 failed, 08:45 and 09:00 missed


def test_the_first_fine_slot_after_problems_is_the_recovery():
    runs = [run(AT[0]), run(AT[2], outcome="failed"), run(AT[3]), run(AT[4])]
    assert kinds(runs, now=AT[4] + 2 * MIN, until=AT[4]) == {"job": ("ok", AT[3], 2)}


def test_a_slot_fired_only_by_failover_stays_a_problem():
    runs = [run(AT[0]), run(AT[1]), run(AT[2]), run(AT[3]),
            run(AT[4] + 7 * MIN, rid="job@09:00", slot=AT[4], by="failover")]
    report = judge(runs, now=AT[4] + 8 * MIN, until=AT[4])
    last = report.jobs[0].slots[-1]
    assert last.state == "late" and "failover ran it" in last.note  # not missed: it ran
    assert kinds(runs, now=AT[4] + 8 * MIN, until=AT[4]) == {"job": ("problem", AT[4], 1)}


def test_a_late_provider_run_beside_a_failover_is_a_duplicate_with_both_run_ids():
    runs = [*(run(t) for t in AT[:4]),
            run(AT[4] + 7 * MIN, rid="job@2026-01-05T09:00:00Z", slot=AT[4], by="failover"),
            run(AT[4] + 9 * MIN, rid="msg_late")]
    last = judge(runs, now=AT[4] + 10 * MIN, until=AT[4]).jobs[0].slots[-1]
    assert last.state == "duplicate"
    assert sorted(r.run_id for r in last.runs) == ["job@2026-01-05T09:00:00Z", "msg_late"]
