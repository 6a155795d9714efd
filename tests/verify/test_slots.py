"""Expected slots come from the job's own dialect: robfig's DST behaviour (a skipped hour has no
slot, a repeated one two), Vercel Hobby's hour window, @every anchored where the provider
anchors it. Table tests on the edge cases, and properties over many schedules and windows
checked against the dialect's own `next_runs` (the evaluator proven against robfig/cron's Go
source in tests/fidelity/robfig)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cronctl import cron
from cronctl.verify import Policy, expected_slots

QSTASH = cron.get_dialect("qstash")
K8S = cron.get_dialect("kubernetes")
HOBBY = cron.get_dialect("vercel", plan="hobby")
PRO = cron.get_dialect("vercel")
POLICY = Policy(tolerance_ms=60_000, grace_ms=120_000)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def utc(ms_: int) -> str:
    return datetime.fromtimestamp(ms_ / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def times(dialect, schedule, tz, since, until, **kw) -> list[str]:
    return [utc(s.scheduled_ms) for s in expected_slots(
        "j", dialect, schedule, tz, since_ms=ms(since), until_ms=ms(until), policy=POLICY,
        **kw)]


@pytest.mark.parametrize(("schedule", "tz", "since", "until", "expected"), [
    # New York falls back on 2026-11-01: 01:30 happens twice, and robfig fires both
    ("30 1 * * *", "America/New_York", "2026-10-31 12:00", "2026-11-02 12:00",
     ["2026-11-01 05:30", "2026-11-01 06:30", "2026-11-02 06:30"]),
    # ... and springs forward on 2026-03-08: 02:30 does not exist, no slot that day
    ("30 2 * * *", "America/New_York", "2026-03-07 00:00", "2026-03-10 00:00",
     ["2026-03-07 07:30", "2026-03-09 06:30"]),
    # Lord Howe's 30-minute change (02:00 -> 02:30 on 2026-10-04): right after the 01:30
    # run robfig also fires at 02:30, a time the schedule does not name; a slot too
    ("30 1 * * *", "Australia/Lord_Howe", "2026-10-02 12:00", "2026-10-05 12:00",
     ["2026-10-02 15:00", "2026-10-03 15:00", "2026-10-03 15:30", "2026-10-04 14:30"]),
    # CRON_TZ= in the expression, as QStash takes it
    ("CRON_TZ=Europe/Berlin 0 9 * * 1", None, "2026-01-05 00:00", "2026-01-13 00:00",
     ["2026-01-05 08:00", "2026-01-12 08:00"]),
    # the window is inclusive at both ends
    ("0 * * * *", "UTC", "2026-01-05 08:00", "2026-01-05 10:00",
     ["2026-01-05 08:00", "2026-01-05 09:00", "2026-01-05 10:00"]),
    # robfig's OR of day-of-month and day-of-week when both are restricted
    ("0 0 1 * 1", "UTC", "2026-06-01 00:00", "2026-06-16 00:00",
     ["2026-06-01 00:00", "2026-06-08 00:00", "2026-06-15 00:00"]),
])
def test_robfig_slots(schedule, tz, since, until, expected):
    assert times(QSTASH, schedule, tz, since, until) == expected


def test_lord_howe_chain_matches_the_evaluator():
    """Whatever robfig does around that change, the slots are exactly its runs."""
    since = datetime(2026, 10, 3, 12, tzinfo=UTC)
    runs = QSTASH.next_runs("30 1,2 * * *", "Australia/Lord_Howe", 10, after=since
                            - timedelta(seconds=1))
    until = runs[-1].astimezone(UTC)
    got = times(QSTASH, "30 1,2 * * *", "Australia/Lord_Howe", "2026-10-03 12:00",
                until.strftime("%Y-%m-%d %H:%M"))
    assert got == [r.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for r in runs]


def test_a_hobby_slot_is_its_whole_hour():
    slots = expected_slots("j", HOBBY, "30 6 * * *", None, since_ms=ms("2026-01-05 00:00"),
                           until_ms=ms("2026-01-07 00:00"), policy=POLICY)
    assert [utc(s.scheduled_ms) for s in slots] == ["2026-01-05 06:00", "2026-01-06 06:00"]
    first = slots[0]
    assert first.window_end_ms - first.scheduled_ms == 59 * 60_000  # up to 06:59
    assert first.ok_until_ms == first.window_end_ms + 60_000
    assert first.deadline_ms == first.ok_until_ms + 120_000
    assert first.timeliness(ms("2026-01-05 06:58")) == "ok"
    assert first.timeliness(ms("2026-01-05 07:01")) == "late"
    assert first.timeliness(ms("2026-01-05 07:03")) == "missed"
    # Vercel Pro fires at the minute: no window
    pro = expected_slots("j", PRO, "30 6 * * *", None, since_ms=ms("2026-01-05 00:00"),
                         until_ms=ms("2026-01-06 00:00"), policy=POLICY)
    assert [utc(s.scheduled_ms) for s in pro] == ["2026-01-05 06:30"]
    assert pro[0].window_end_ms == pro[0].scheduled_ms


def test_a_hobby_slot_whose_hour_began_before_the_window_is_not_expected():
    assert times(HOBBY, "30 6 * * *", None, "2026-01-05 06:10", "2026-01-05 23:00") == []


def test_every_counts_from_its_anchor():
    anchor = ms("2026-01-05 08:00") + 7_000  # a QStash schedule created at 08:00:07
    got = expected_slots("j", QSTASH, "@every 10m", None, since_ms=ms("2026-01-05 08:00"),
                         until_ms=ms("2026-01-05 08:35"), policy=POLICY, anchor_ms=anchor)
    assert [s.scheduled_ms - anchor for s in got] == [0, 600_000, 1_200_000, 1_800_000]
    # the runner's rule: multiples of the period since the epoch
    epoch = times(K8S, "@every 15m", None, "2026-01-05 08:01", "2026-01-05 09:00")
    assert epoch == ["2026-01-05 08:15", "2026-01-05 08:30", "2026-01-05 08:45",
                     "2026-01-05 09:00"]


def test_a_refused_expression_and_a_huge_window_are_errors():
    with pytest.raises(ValueError, match="Vercel"):
        expected_slots("j", PRO, "0 0 * * 7", None, since_ms=0, until_ms=1, policy=POLICY)
    with pytest.raises(ValueError, match="more than 10 runs"):
        expected_slots("j", QSTASH, "* * * * *", None, since_ms=0, until_ms=3_600_000,
                       policy=POLICY, limit=10)


# -- properties over many schedules and windows -----------------------------------------------

FIELD = st.sampled_from(["*", "*/5", "*/15", "0", "30", "0,30", "5-10", "*/7"])
HOUR = st.sampled_from(["*", "*/2", "0", "1", "2", "9", "1-3", "*/6"])
DOM = st.sampled_from(["*", "1", "15", "*/10", "28-31"])
DOW = st.sampled_from(["*", "1", "1-5", "0,6"])
ZONE = st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
                        "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"])
START = st.integers(min_value=ms("2025-01-01 00:00"), max_value=ms("2028-12-31 00:00"))
SPAN = st.integers(min_value=0, max_value=5 * 86_400_000)


@settings(max_examples=300, deadline=None)
@given(FIELD, HOUR, DOM, DOW, ZONE, START, SPAN)
def test_slots_are_the_dialects_own_runs(minute, hour, dom, dow, zone, since, span):
    expr = f"{minute} {hour} {dom} * {dow}"
    got = [s.scheduled_ms for s in expected_slots(
        "j", K8S, expr, zone, since_ms=since, until_ms=since + span, policy=POLICY)]
    after = datetime.fromtimestamp((since - 1000) / 1000, UTC)
    want = [int(r.timestamp() * 1000) for r in K8S.next_runs(expr, zone, len(got) + 1, after)
            if int(r.timestamp() * 1000) <= since + span]
    assert got == [t for t in want if t >= since]
    assert got == sorted(set(got))
    assert all(since <= t <= since + span for t in got)


@settings(max_examples=150, deadline=None)
@given(FIELD, HOUR, START, SPAN, st.integers(min_value=1, max_value=5 * 86_400_000))
def test_windows_split_anywhere_give_the_same_slots(minute, hour, since, span, cut):
    """Verifying a window in two halves finds exactly the slots of the whole (no slot lost or
    counted twice at the seam): what a watch loop relies on."""
    expr = f"{minute} {hour} * * *"
    cut = since + min(cut, span)
    whole = expected_slots("j", QSTASH, expr, "Europe/Berlin", since_ms=since,
                           until_ms=since + span, policy=POLICY)
    first = expected_slots("j", QSTASH, expr, "Europe/Berlin", since_ms=since, until_ms=cut,
                           policy=POLICY)
    second = expected_slots("j", QSTASH, expr, "Europe/Berlin", since_ms=cut + 1,
                            until_ms=since + span, policy=POLICY)
    assert first + second == whole


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59), START,
       st.integers(min_value=1, max_value=20))
def test_hobby_slots_are_one_a_day_at_the_top_of_their_hour(hour, minute, since, days):
    slots = expected_slots("j", HOBBY, f"{minute} {hour} * * *", None, since_ms=since,
                           until_ms=since + days * 86_400_000, policy=POLICY)
    assert all(s.scheduled_ms % 3_600_000 == 0 for s in slots)
    assert all(datetime.fromtimestamp(s.scheduled_ms / 1000, UTC).hour == hour for s in slots)
    assert days - 1 <= len(slots) <= days + 1  # inclusive at both ends
    gaps = {b.scheduled_ms - a.scheduled_ms for a, b in zip(slots, slots[1:], strict=False)}
    assert gaps <= {86_400_000}
