"""`cronctl next JOB [-n N] [--json]`: upcoming runs in the job's zone and in UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LISBON = ZoneInfo("Europe/Lisbon")

SCHEDULES = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
  month-end-lisbon:
    tier: business
    path: /api/cron/month-end
    schedule: "0 9 24-31 3 *"
    timezone: Europe/Lisbon
  hourly:
    tier: business
    path: /api/cron/hourly
    schedule: "15 * * * *"
"""


def next_json(cli, *args: str) -> dict:
    code, out, err = cli("next", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_three_runs_in_utc(cli, write_config):
    write_config(SCHEDULES)
    start = datetime.now(UTC)
    data = next_json(cli, "keep-alive", "-n", "3")
    assert {k: data[k] for k in ("job", "schedule", "timezone", "description")} == {
        "job": "keep-alive", "schedule": "0 6 * * *", "timezone": "UTC",
        "description": "At 06:00 every day"}
    runs = [(datetime.fromisoformat(r["local"]), datetime.fromisoformat(r["utc"]))
            for r in data["runs"]]
    assert len(runs) == 3
    for local, utc in runs:
        assert local == utc and utc.utcoffset() == timedelta(0)
        assert (utc.hour, utc.minute, utc.second) == (6, 0, 0)
    assert runs[1][0] - runs[0][0] == runs[2][0] - runs[1][0] == timedelta(days=1)
    assert start < runs[0][0] <= start + timedelta(days=1)


def test_lisbon_offsets_across_the_march_change(cli, write_config):
    """09:00 Lisbon every day from 24 to 31 March. The last Sunday of March (25th-31st) moves
    Lisbon from +00:00 to +01:00, so the 24th is always before the change and the 31st after.
    Expected values come from zoneinfo, not from cronctl."""
    write_config(SCHEDULES)
    start = datetime.now(UTC)
    data = next_json(cli, "month-end-lisbon", "-n", "8")
    assert data["timezone"] == "Europe/Lisbon"

    candidates = [datetime(year, 3, day, 9, 0, tzinfo=LISBON)
                  for year in (start.year, start.year + 1, start.year + 2)
                  for day in range(24, 32)]
    expected = [c for c in candidates if c > start][:8]
    assert [r["local"] for r in data["runs"]] == [e.isoformat() for e in expected]
    assert [r["utc"] for r in data["runs"]] == [e.astimezone(UTC).isoformat() for e in expected]

    for run in data["runs"]:
        local = datetime.fromisoformat(run["local"])
        utc = datetime.fromisoformat(run["utc"])
        assert local == utc and (local.hour, local.minute) == (9, 0)
        last_sunday = max(d for d in range(25, 32) if datetime(local.year, 3, d).weekday() == 6)
        summer = local.day >= last_sunday
        assert local.utcoffset() == timedelta(hours=1 if summer else 0)
        assert utc.hour == (8 if summer else 9)
    offsets = {datetime.fromisoformat(r["local"]).utcoffset() for r in data["runs"]}
    assert offsets == {timedelta(0), timedelta(hours=1)}


def test_hourly_in_default_utc(cli, write_config):
    write_config(SCHEDULES)
    data = next_json(cli, "hourly", "-n", "2")
    first, second = (datetime.fromisoformat(r["utc"]) for r in data["runs"])
    assert first.minute == 15 and second - first == timedelta(hours=1)


def test_text_output_shows_both_zones(cli, write_config):
    write_config(SCHEDULES)
    code, out, err = cli("next", "month-end-lisbon", "-n", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("month-end-lisbon: 0 9 24-31 3 * (")
    assert lines[0].endswith(", Europe/Lisbon)")
    assert len(lines) == 2
    assert " 09:00 " in lines[1] and " UTC)" in lines[1]


def test_default_count_is_5(cli, write_config):
    write_config(SCHEDULES)
    assert len(next_json(cli, "keep-alive")["runs"]) == 5


def test_unknown_job_is_exit_2_with_a_did_you_mean(cli, write_config):
    write_config(SCHEDULES)
    code, out, err = cli("next", "keep-alvie")
    assert code == 2
    assert out == ""
    assert "no job named 'keep-alvie' in schedules.yaml" in err
    assert "did you mean 'keep-alive'?" in err and "month-end-lisbon" not in err
    assert "Traceback" not in err


def test_count_out_of_range_is_a_usage_error(cli, write_config):
    write_config(SCHEDULES)
    code, _, err = cli("next", "keep-alive", "-n", "0")
    assert code == 2
    assert "Traceback" not in err


NEW_YORK = """\
version: 1
project: acme
base_url: https://app.example.com
vercel:
  plan: hobby
jobs:
  gap:
    tier: business
    path: /api/cron/gap
    schedule: "30 2 * * *"
    timezone: America/New_York
  overlap:
    tier: business
    path: /api/cron/overlap
    schedule: "30 1 * * *"
    timezone: America/New_York
  nightly:
    tier: infrastructure
    path: /api/cron/nightly
    schedule: "15 3 * * *"
"""


def _dates(data: dict) -> list:
    return [datetime.fromisoformat(r["local"]).date() for r in data["runs"]]


def test_runs_as_qstash_fires_them_across_dst(cli, write_config):
    """Issue 11: 400 daily runs span one spring-forward and one fall-back day in New York,
    whatever today is. QStash (robfig/cron) skips 02:30 on the first, runs 01:30 twice on the
    second (cronsim moved the first to 03:00 and ran the second once)."""
    write_config(NEW_YORK)
    gap = next_json(cli, "gap", "-n", "400")
    assert {datetime.fromisoformat(r["local"]).strftime("%H:%M") for r in gap["runs"]} == {"02:30"}
    dates = _dates(gap)
    skipped = [a for a, b in zip(dates, dates[1:], strict=False) if (b - a).days == 2]
    assert len(skipped) == 1 and skipped[0].month == 3  # the second Sunday of March, skipped
    overlap = next_json(cli, "overlap", "-n", "400")
    dates = _dates(overlap)
    twice = [d for d in set(dates) if dates.count(d) == 2]
    assert len(twice) == 1 and twice[0].month == 11
    first, second = (datetime.fromisoformat(r["utc"]) for r in overlap["runs"]
                     if datetime.fromisoformat(r["local"]).date() == twice[0])
    assert second - first == timedelta(hours=1)


def test_hobby_plan_preview_says_within_the_hour(cli, write_config):
    write_config(NEW_YORK)
    data = next_json(cli, "nightly", "-n", "2")
    assert data["window_minutes"] == 60 and data["provider"] == "Vercel"
    assert data["description"] == "At 03:15 every day (Hobby plan: some time within that hour)"
    code, out, err = cli("next", "nightly", "-n", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert all(" 03:00-03:59 UTC" in line for line in lines[1:3])
    assert "within that hour" in lines[3]
