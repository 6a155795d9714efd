"""A state for every slot: a table of the cases, and properties over many schedules, zones and
windows (healthy runs give zero false alarms; each run taken away is exactly one missed slot;
each run doubled exactly one duplicate; lateness lands in ok, late or missed by the policy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cronctl import cron
from cronctl.targets.capabilities import Observation
from cronctl.verify import PROBLEMS, Expectation, Policy, evaluate, expected_slots

Q = cron.get_dialect("qstash")
POLICY = Policy(tolerance_ms=60_000, grace_ms=240_000, max_runtime_ms=600_000)
SINCE = int(datetime(2026, 1, 5, 8, tzinfo=UTC).timestamp() * 1000)
MIN = 60_000


def expect(schedule="*/15 * * * *", *, until=SINCE + 3_600_000, policy=POLICY, **kw):
    slots = expected_slots("job", Q, schedule, "UTC", since_ms=SINCE - policy.tolerance_ms
                           - policy.grace_ms, until_ms=until, policy=policy)
    return Expectation("job", "qstash", tuple(slots), policy, **kw)


def run(at, *, job="job", rid=None, outcome="ok", slot=None, by="schedule", ended=True):
    return Observation(job, rid or f"r{at}", slot, at, at + 1000 if ended and
                       outcome != "running" else None, outcome, by, "test")


def states(report) -> list[str]:
    return [s.state for s in report.jobs[0].slots]


AT = [SINCE + k * 15 * MIN for k in range(5)]  # 08:00 ... 09:00


def judge(runs, now=SINCE + 3_600_000 + 30 * MIN, **kw):
    return evaluate([expect(**kw)], runs, now_ms=now, since_ms=SINCE)


@pytest.mark.parametrize(("runs", "want"), [
    ([run(t + 500) for t in AT], ["ok"] * 5),
    ([run(t + 500) for t in AT[:4]], ["ok"] * 4 + ["missed"]),
    ([run(AT[0] + 2 * MIN), *(run(t) for t in AT[1:])], ["late"] + ["ok"] * 4),
    ([run(AT[0] + 6 * MIN), *(run(t) for t in AT[1:])], ["missed"] + ["ok"] * 4),
    ([run(AT[0], outcome="failed"), *(run(t) for t in AT[1:])], ["failed"] + ["ok"] * 4),
    ([run(AT[0]), run(AT[0] + 900, rid="again"), *(run(t) for t in AT[1:])],
     ["duplicate"] + ["ok"] * 4),
    ([run(AT[0], outcome="skipped", slot=AT[0]), *(run(t) for t in AT[1:])],
     ["missed"] + ["ok"] * 4),
    # a run 1 s before its slot (clocks differ) still belongs to it
    ([run(t - 1000) for t in AT], ["ok"] * 5),
])
def test_states(runs, want):
    assert states(judge(runs)) == want


def test_pending_until_the_deadline_then_missed():
    runs = [run(t) for t in AT[:4]]
    assert states(judge(runs, now=AT[4] + 4 * MIN))[-1] == "pending"
    assert states(judge(runs, now=AT[4] + 5 * MIN))[-1] == "pending"  # deadline inclusive
    assert states(judge(runs, now=AT[4] + 5 * MIN + 1))[-1] == "missed"


def test_stuck_only_past_max_runtime():
    runs = [*(run(t) for t in AT[:4]), run(AT[4] + 100, outcome="running")]
    fresh = judge(runs, now=AT[4] + 5 * MIN)
    assert states(fresh)[-1] == "ok" and fresh.jobs[0].slots[-1].note == "still running"
    old = judge(runs, now=AT[4] + 11 * MIN)
    assert states(old)[-1] == "stuck" and "past max_runtime 10m" in old.jobs[0].slots[-1].note
    assert not old.ok
    # no max_runtime known: never stuck
    endless = judge(runs, now=AT[4] + 600 * MIN,
                    policy=Policy(60_000, 240_000, None), until=SINCE + 3_600_000)
    assert states(endless)[-1] == "ok"


def test_drift_makes_unfired_slots_missed_and_names_it():
    report = judge([run(t) for t in AT[:2]], drift="deleted behind cronctl's back")
    assert states(report) == ["ok", "ok", "missed", "missed", "missed"]
    assert report.jobs[0].slots[2].note == "deleted behind cronctl's back"
    assert report.jobs[0].drift == "deleted behind cronctl's back" and not report.ok


def test_nothing_is_expected_before_the_job_went_live():
    live = AT[2]  # created exactly at 08:30: it first fires at 08:45
    report = judge([run(AT[3]), run(AT[4])], since_ms=live)
    assert states(report) == ["ok", "ok"]
    # a run of a slot before it went live (history of a recreated schedule) is no stranger
    report = judge([run(AT[1]), run(AT[3]), run(AT[4])], since_ms=live)
    assert states(report) == ["ok", "ok"] and report.jobs[0].unexpected == []


def test_a_paused_job_expects_nothing_and_a_run_of_it_is_unexpected():
    report = judge([run(AT[1])], enabled=False)
    job = report.jobs[0]
    assert job.slots == [] and [o.run_id for o in job.unexpected] == [f"r{AT[1]}"]
    assert report.ok  # unexpected is reported, not a failure of the slots


def test_manual_runs_fulfil_no_slot_and_are_counted():
    runs = [run(t) for t in AT[:4]] + [run(AT[4] + 10, by="manual")]
    report = judge(runs)
    assert states(report)[-1] == "missed" and report.jobs[0].manual == 1


def test_runs_of_jobs_not_in_the_file_are_unexpected():
    report = judge([run(t) for t in AT] + [run(AT[2], job="ghost")])
    assert [o.job for o in report.unexpected] == ["ghost"]
    assert report.to_json()["unexpected"] == 1


def test_a_run_at_a_time_the_schedule_does_not_name_is_unexpected():
    runner_style = [run(t, slot=t) for t in AT] + [run(AT[1] + 7 * MIN, slot=AT[1] + 7 * MIN)]
    report = judge(runner_style)
    assert states(report) == ["ok"] * 5
    assert [o.slot_ms for o in report.jobs[0].unexpected] == [AT[1] + 7 * MIN]


def test_one_run_seen_by_two_sources_is_one_run():
    logs = [run(t, rid=f"m{t}") for t in AT]
    ping = Observation("job", f"m{AT[0]}", None, AT[0] + 300, None, "running", "check-in", "p")
    assert states(judge([*logs, ping])) == ["ok"] * 5


def test_unobservable_jobs_are_not_judged():
    report = judge([], unobservable="no readable history")
    assert set(states(report)) == {"unobserved"} and report.ok


def test_report_json_lists_problems_with_run_ids():
    report = judge([run(AT[0], outcome="failed", rid="m-1"), *(run(t) for t in AT[1:4])])
    data = report.to_json()
    assert data["ok"] is False and data["counts"]["failed"] == 1
    job = data["jobs"][0]
    assert [(p["scheduled"], p["state"], p["run_ids"]) for p in job["problems"]] == [
        ("2026-01-05T08:00:00+00:00", "failed", ["m-1"]),
        ("2026-01-05T09:00:00+00:00", "missed", [])]
    assert job["policy"] == {"tolerance_s": 60.0, "grace_s": 240.0, "max_runtime_s": 600.0}


# -- properties ---------------------------------------------------------------------------

SCHEDULE = st.sampled_from(["*/5 * * * *", "*/15 * * * *", "0 * * * *", "30 1 * * *",
                            "30 2 * * *", "0 */2 * * *", "15,45 0-3 * * *", "0 0 * * 1",
                            "@every 7m", "@hourly"])
ZONE = st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
# windows around the 2026 clock changes of those zones, and ordinary ones
START = st.sampled_from([
    datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 28, tzinfo=UTC),
    datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC),
    datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)])


def world(schedule, zone, start, hours):
    since = int(start.timestamp() * 1000)
    now = since + hours * 3_600_000
    slots = expected_slots("job", Q, schedule, zone, since_ms=since - POLICY.tolerance_ms
                           - POLICY.grace_ms, until_ms=now, policy=POLICY)
    return since, now, slots


@settings(max_examples=200, deadline=None)
@given(SCHEDULE, ZONE, START, st.integers(min_value=1, max_value=72), st.data())
def test_healthy_runs_give_zero_false_alarms(schedule, zone, start, hours, data):
    since, now, slots = world(schedule, zone, start, hours)
    delays = data.draw(st.lists(st.integers(min_value=-1_999, max_value=POLICY.tolerance_ms),
                                min_size=len(slots), max_size=len(slots)))
    runs = [run(s.scheduled_ms + d, rid=f"m{i}") for i, (s, d) in enumerate(
        zip(slots, delays, strict=True))]
    exp = Expectation("job", "qstash", tuple(slots), POLICY)
    report = evaluate([exp], runs, now_ms=now, since_ms=since)
    judged = [s for s in slots if s.scheduled_ms >= since]
    assert states(report) == ["ok"] * len(judged)
    assert report.ok and report.jobs[0].unexpected == [] and report.unexpected == []


@settings(max_examples=200, deadline=None)
@given(SCHEDULE, ZONE, START, st.integers(min_value=1, max_value=72), st.data())
def test_each_missing_or_doubled_run_is_exactly_one_problem(schedule, zone, start, hours, data):
    since, now, slots = world(schedule, zone, start, hours)
    judged = [i for i, s in enumerate(slots) if s.scheduled_ms >= since]
    fate = data.draw(st.lists(st.sampled_from(["ok", "gone", "twice", "late", "failed"]),
                              min_size=len(slots), max_size=len(slots)))
    runs = []
    for i, (slot, what) in enumerate(zip(slots, fate, strict=True)):
        if what == "gone":
            continue
        at = slot.scheduled_ms + (POLICY.tolerance_ms + MIN if what == "late" else 0)
        runs.append(run(at, rid=f"m{i}", outcome="failed" if what == "failed" else "ok"))
        if what == "twice":
            runs.append(run(at + 1000, rid=f"n{i}"))
    report = evaluate([Expectation("job", "qstash", tuple(slots), POLICY)], runs,
                      now_ms=now, since_ms=since)
    want = []
    for i in judged:
        what = fate[i]
        if what == "gone":
            want.append("missed" if now > slots[i].deadline_ms else "pending")
        else:
            want.append({"ok": "ok", "twice": "duplicate", "late": "late",
                         "failed": "failed"}[what])
    assert states(report) == want
    assert report.ok == (not any(w in PROBLEMS for w in want))
    assert report.jobs[0].unexpected == []


def test_a_run_the_sources_clock_saw_for_the_next_slot_is_no_duplicate():
    """Our clock says 08:00:59; the provider's, a second or two ahead, already fired the
    08:01 run of a minutely job. Given the slots just after now, that run goes to its own
    slot (not judged yet): 08:00 stays ok, not a duplicate, and nothing is unexpected."""
    slots = expected_slots("job", Q, "* * * * *", "UTC", since_ms=SINCE,
                           until_ms=SINCE + 2 * MIN, policy=POLICY)
    exp = Expectation("job", "qstash", tuple(slots), POLICY)
    runs = [run(SINCE + 100, rid="a"), run(SINCE + MIN + 100, rid="b")]
    report = evaluate([exp], runs, now_ms=SINCE + 59_000, since_ms=SINCE)
    assert states(report) == ["ok"] and report.jobs[0].unexpected == []
