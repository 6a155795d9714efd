"""cronctl.cron.gotime: the Go standard library behaviours robfig/cron relies on."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cronctl.cron.gotime import go_date, go_fields, parse_go_duration

NY = ZoneInfo("America/New_York")


def test_fields_split_on_gos_whitespace_only():
    assert go_fields(" 0\u00a00\t*\u2003* * ") == ["0", "0", "*", "*", "*"]
    assert go_fields("0\x1c0") == ["0\x1c0"]  # Python's str.split would split here


@pytest.mark.parametrize(("text", "nanos"), [
    ("1h30m", 5400 * 10**9), ("1.5h", 5400 * 10**9), (".5m", 30 * 10**9), ("1.m", 60 * 10**9),
    ("500ms", 5 * 10**8), ("1\u00b5s", 1000), ("-5m", -300 * 10**9), ("0", 0),
    ("+1h", 3600 * 10**9),
])
def test_go_durations(text, nanos):
    assert parse_go_duration(text) == nanos


@pytest.mark.parametrize("text", ["", "h", "1", "1d", ".", "2562048h", "1H"])
def test_go_duration_refusals(text):
    with pytest.raises(ValueError):
        parse_go_duration(text)


def test_go_date_resolves_gap_and_overlap_like_go():
    # 02:30 in the spring gap: Go's time.Date gives 06:30 UTC (= 01:30 EST), checked with Go.
    t = go_date(2026, 3, 8, 2, 30, 0, NY)
    assert datetime.fromtimestamp(t, UTC).strftime("%H:%M") == "06:30"
    # 01:30 in the autumn overlap resolves to the first (EDT) occurrence.
    t = go_date(2026, 11, 1, 1, 30, 0, NY)
    assert datetime.fromtimestamp(t, UTC).strftime("%H:%M") == "05:30"
    # Normalisation carries like Go: Jan 32 is Feb 1, month 13 is next January.
    assert go_date(2026, 1, 32, 0, 0, 0, ZoneInfo("UTC")) == \
        go_date(2026, 2, 1, 0, 0, 0, ZoneInfo("UTC"))
    assert go_date(2026, 13, 1, 0, 0, 0, ZoneInfo("UTC")) == \
        datetime(2027, 1, 1, tzinfo=UTC).timestamp()
