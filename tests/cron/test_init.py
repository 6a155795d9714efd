"""cronctl.cron's package-level helpers (the shortcuts older callers use), across DST.

Updated for issue 11 where the old assertions were wrong about the providers: QStash refuses `L`
(robfig/cron has none) and accepts @hourly; out-of-range messages are the dialects' own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cronctl import cron

LISBON = ZoneInfo("Europe/Lisbon")


def messages(problems) -> list[str]:
    return [p.message for p in problems]


@pytest.mark.parametrize(
    "expr",
    ["0 6 * * *", "*/15 * * * *", "0 0 1 * *", "0 9 * * 1-5", "5,35 1-23/2 * 1,6 0",
     "0 0 29 2 *", "0 0 * * 0-6"],
)
def test_vercel_accepts(expr):
    assert cron.check_vercel(expr) == []


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 0 6 * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"),
        ("@daily", "macro '@daily' is not supported"),
        ("@weekly", "macro '@weekly' is not supported"),
        ("@annually", "macro '@annually' is not supported"),
        ("0 6 * * MON", "day-of-week 'MON': Vercel does not support names like MON or JAN"),
        ("0 6 * JAN *", "month 'JAN': Vercel does not support names like MON or JAN"),
        ("0 6 L * *", "day-of-month 'L': Vercel does not support L, W, # or ?"),
        ("0 6 15W * *", "day-of-month '15W': Vercel does not support L, W, # or ?"),
        ("0 6 * * 5#3", "day-of-week '5#3': Vercel does not support L, W, # or ?"),
        ("0 6 ? * *", "day-of-month '?': Vercel does not support L, W, # or ?"),
        ("0 6 * * 7", "day-of-week '7': Vercel accepts 0-6 only"),
        ("0 6 * * 1-7", "day-of-week '1-7': Vercel accepts 0-6 only"),
        ("0 6 1 * 1", "Vercel does not support restricting both day-of-month and day-of-week"),
        ("0 6 * *", "must be 9 to 256 characters long"),
        ("0 6 * * * " + "0" * 250, "must be 9 to 256 characters long"),
        ("60 6 * * *", "minute '60': Vercel accepts 0-59 only"),
        ("0 24 * * *", "hour '24': Vercel accepts 0-23 only"),
        ("0 0 31 2 *", "'0 0 31 2 *' never fires (no such date)"),
        ("0 0 30 2 *", "'0 0 30 2 *' never fires (no such date)"),
    ],
)
def test_vercel_rejects(expr, message):
    problems = cron.check_vercel(expr)
    assert message in messages(problems)
    assert all(p.hint for p in problems)


def test_hobby_plan():
    assert messages(cron.check_vercel("*/15 * * * *", "hobby")) == [
        "the Hobby plan allows cron jobs at most once a day"]
    assert messages(cron.check_vercel("0 6,18 * * *", "hobby")) == [
        "the Hobby plan allows cron jobs at most once a day"]
    assert cron.check_vercel("0 6 * * *", "hobby") == []
    assert cron.check_vercel("0 6 * * 1", "hobby") == []
    assert cron.check_vercel("*/15 * * * *", "enterprise") == []


@pytest.mark.parametrize(
    "expr", ["0 9 * * MON-FRI", "*/5 * * * *", "0 0 29 2 *", "@hourly", "@every 90m"])
def test_qstash_accepts(expr):
    assert cron.check_qstash(expr) == []


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("0 9 * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 0 9 * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"),
        ("0 0 31 2 *", "'0 0 31 2 *' never fires (no such date)"),
        ("0 0 31 4,6,9,11 *", "'0 0 31 4,6,9,11 *' never fires (no such date)"),
        ("0 25 * * *", "QStash refuses '0 25 * * *': end of range (25) above maximum (23): 25"),
        ("0 9 L * *", "QStash refuses '0 9 L * *': failed to parse int from L: strconv.Atoi: "
                      "parsing 'L': invalid syntax"),
    ],
)
def test_qstash_rejects(expr, message):
    assert messages(cron.check_qstash(expr)) == [message]


def test_split_and_join_tz():
    assert cron.split_tz("CRON_TZ=Europe/Lisbon 0 9 * * *") == ("Europe/Lisbon", "0 9 * * *")
    assert cron.split_tz(" 0 9 * * * ") == (None, "0 9 * * *")
    assert cron.join_tz("0 9 * * *", "Europe/Lisbon") == "CRON_TZ=Europe/Lisbon 0 9 * * *"
    assert cron.join_tz("0 9 * * *", "UTC") == "0 9 * * *"


def test_zones():
    assert cron.is_valid_zone("Europe/Lisbon")
    assert cron.is_valid_zone("UTC")
    assert not cron.is_valid_zone("Europe/Lisboa")
    assert not cron.is_valid_zone("../etc/passwd")


def test_next_runs_cross_spring_forward_in_lisbon():
    # Europe/Lisbon leaves WET (+00:00) for WEST (+01:00) at 01:00 UTC on 2025-03-30.
    after = datetime(2025, 3, 28, 12, 0, tzinfo=UTC)
    runs = cron.next_runs("0 9 * * *", "Europe/Lisbon", 4, after=after)
    expected_local = [datetime(2025, 3, d, 9, 0, tzinfo=LISBON) for d in (29, 30, 31)] + [
        datetime(2025, 4, 1, 9, 0, tzinfo=LISBON)]
    assert runs == expected_local
    assert [r.utcoffset() for r in runs] == [timedelta(0), timedelta(hours=1),
                                             timedelta(hours=1), timedelta(hours=1)]
    assert [r.astimezone(UTC).hour for r in runs] == [9, 8, 8, 8]


def test_next_runs_in_utc_are_aware_and_strictly_after():
    after = datetime(2025, 1, 1, 6, 0, tzinfo=UTC)
    runs = cron.next_runs("0 6 * * *", None, 2, after=after)
    assert runs == [datetime(2025, 1, 2, 6, tzinfo=UTC), datetime(2025, 1, 3, 6, tzinfo=UTC)]


def test_next_after_of_never_firing_expression_is_none():
    assert cron.next_after("0 0 31 2 *", datetime(2025, 1, 1, tzinfo=UTC)) is None
    assert cron.fires("0 0 29 2 *")
    assert not cron.fires("0 0 31 2 *")


def test_explain_never_raises():
    assert cron.explain("0 6 * * *") == "At 06:00 every day"
    assert cron.explain("not a cron") == "not a cron"
