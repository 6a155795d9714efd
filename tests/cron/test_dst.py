"""cronctl.cron.dst: the warnings say what robfig/cron really does (checked against golden.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cronctl.cron import robfig
from cronctl.cron.dst import dst_warnings

GOLDEN = json.loads((Path(__file__).parents[1] / "fidelity" / "robfig" / "golden.json")
                    .read_text("utf-8"))
START = datetime(2026, 1, 1, tzinfo=UTC)


def warnings(expr: str, zone: str) -> list[str]:
    return [w.message for w in dst_warnings(robfig.parse(expr), ZoneInfo(zone), "QStash", START)]


def golden_walls(expr: str, zone: str) -> set[str]:
    """Every run robfig gave for CRON_TZ=zone expr, as local 'YYYY-MM-DD HH:MM'."""
    tz = ZoneInfo(zone)
    case = next(c for c in GOLDEN["cases"] if c["expr"] == f"CRON_TZ={zone} {expr}")
    return {datetime.fromtimestamp(t, tz).strftime("%Y-%m-%d %H:%M")
            for runs in case["runs"] for t in runs}


@pytest.mark.parametrize(("expr", "zone", "expected"), [
    ("30 2 * * *", "America/New_York", [
        "02:30 does not exist in America/New_York on 2026-03-08 (clocks go forward 1 hour): "
        "QStash skips that run"]),
    ("30 1 * * *", "America/New_York", [
        "01:30 happens twice in America/New_York on 2026-11-01 (clocks go back 1 hour): "
        "QStash runs it twice"]),
    ("0 * * * *", "America/New_York", []),
    ("0 12 * * *", "Europe/Berlin", []),
    ("30 1 * * *", "Australia/Lord_Howe", [
        "01:30 happens twice in Australia/Lord_Howe on 2026-04-05 (clocks go back 30 minutes): "
        "QStash runs it twice",
        "QStash also runs at 02:30 on 2026-10-04 in Australia/Lord_Howe, a time the schedule does "
        "not name: robfig/cron's search goes wrong across that day's clock change (30 minutes)"]),
    ("0 0 * * *", "Australia/Lord_Howe", [
        "QStash does not run at 00:00 on 2026-04-06 in Australia/Lord_Howe: robfig/cron's search "
        "misses it after that day's clock change (30 minutes)"]),
])
def test_messages(expr, zone, expected):
    assert warnings(expr, zone) == expected


def test_claims_match_robfigs_own_runs():
    walls = golden_walls("30 1 * * *", "Australia/Lord_Howe")
    assert "2026-10-04 02:30" in walls  # the extra run the warning names
    # Chained from a run before the change (as QStash chains from the last run), robfig's daily
    # midnight in Lord Howe goes from 04-05 straight to 04-07: the missed one.
    tz = ZoneInfo("Australia/Lord_Howe")
    case = next(c for c in GOLDEN["cases"]
                if c["expr"] == "CRON_TZ=Australia/Lord_Howe 0 0 * * *")
    chained = next(runs for start, runs in zip(case["starts"], case["runs"], strict=True)
                   if datetime.fromtimestamp(start, tz).strftime("%m-%d %H:%M") == "04-04 02:00")
    assert [datetime.fromtimestamp(t, tz).strftime("%m-%d") for t in chained[:2]] == \
        ["04-05", "04-07"]
    walls = golden_walls("30 2 * * *", "America/New_York")
    assert "2026-03-08 02:30" not in walls and "2026-03-09 02:30" in walls
    # The repeated 01:30 in New York: two runs an hour apart on 2026-11-01.
    tz = ZoneInfo("America/New_York")
    case = next(c for c in GOLDEN["cases"]
                if c["expr"] == "CRON_TZ=America/New_York 30 1 * * *")
    on_the_day = {t for runs in case["runs"] for t in runs
                  if datetime.fromtimestamp(t, tz).strftime("%m-%d") == "11-01"}
    assert len(on_the_day) == 2 and max(on_the_day) - min(on_the_day) == 3600


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Europe/London",
                                  "Australia/Sydney", "America/Santiago", "America/Havana"])
def test_whole_hour_changes_need_no_simulation(zone):
    """The shortcut for whole-hour changes at a whole hour gives what running robfig gives."""
    from cronctl.cron import dst
    from cronctl.cron.describe import values

    tz = ZoneInfo(zone)
    exprs = ["30 2 * * *", "30 1 * * *", "0 2 * * *", "0 1 * * *", "0 0 * * *", "59 23 * * *",
             "15 1,2,3 * * *", "0 */2 * * *", "45 2 * * 0", "30 0 * * *", "0 3 * * *"]
    start_day = int(START.timestamp()) // 86400
    for expr in exprs:
        spec = robfig.parse(expr)
        minutes, hours = values(spec.minute, 0, 59), values(spec.hour, 0, 23)
        for instant, before, after in dst.transitions(tz, start_day):
            assert (after - before) % 3600 == 0 and (instant + before) % 3600 == 0
            shortcut = dst._surprises(spec, tz, instant, minutes, hours, simulate=False)
            ran = dst._surprises(spec, tz, instant, minutes, hours, simulate=True)
            assert sorted(shortcut) == sorted(ran), (zone, expr)
