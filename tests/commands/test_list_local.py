"""`cronctl list --local [--json]`: the file alone, no provider calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SCHEDULES = """\
version: 1
project: acme
base_url: https://app.example.com
defaults:
  timezone: America/New_York
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
    priority: critical
    description: Database and cache health
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "30 9 * * *"
    timezone: Europe/Lisbon
    priority: high
  cleanup:
    tier: business
    path: /api/cron/cleanup
    schedule: "*/15 * * * *"
    enabled: false
"""
FIELDS = ["name", "tier", "path", "schedule", "timezone", "description", "next_run", "priority",
          "enabled", "target"]


def test_json_fields_and_values(cli, write_config):
    path = write_config(SCHEDULES)
    start = datetime.now(UTC)
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["project"] == "acme" and data["file"] == str(path)
    rows = data["jobs"]
    assert [r["name"] for r in rows] == ["keep-alive", "reminders", "cleanup"]
    for row in rows:
        assert list(row) == FIELDS

    keep, reminders, cleanup = rows
    assert {k: keep[k] for k in FIELDS if k != "next_run"} == {
        "name": "keep-alive", "tier": "infrastructure", "path": "/api/cron/keep-alive",
        "schedule": "0 6 * * *", "timezone": "UTC", "description": "At 06:00 every day",
        "priority": "critical", "enabled": True, "target": "vercel",
    }
    assert (reminders["tier"], reminders["timezone"], reminders["priority"],
            reminders["enabled"]) == ("business", "Europe/Lisbon", "high", True)
    assert reminders["description"] == "At 09:30 every day"
    # a business job without its own zone takes the default; infrastructure is always UTC
    assert (cleanup["timezone"], cleanup["priority"], cleanup["enabled"]) == (
        "America/New_York", "medium", False)

    # next_run: the schedule's next time, in its zone, within a day of now
    nxt = datetime.fromisoformat(keep["next_run"])
    assert nxt.utcoffset() == timedelta(0)
    assert (nxt.hour, nxt.minute) == (6, 0)
    assert start < nxt <= start + timedelta(days=1)

    nxt = datetime.fromisoformat(reminders["next_run"])
    assert (nxt.hour, nxt.minute) == (9, 30)
    local = nxt.replace(tzinfo=ZoneInfo("Europe/Lisbon"))
    assert nxt.utcoffset() == local.utcoffset()
    assert start < nxt <= start + timedelta(days=1, hours=1)

    nxt = datetime.fromisoformat(cleanup["next_run"])
    assert nxt.minute % 15 == 0 and nxt.second == 0
    assert start < nxt <= start + timedelta(minutes=16)


def test_table_output(cli, write_config):
    write_config(SCHEDULES)
    code, out, err = cli("list", "--local")
    assert code == 0, err
    assert "acme: 3 jobs (schedules.yaml)" in out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("\u2502")[1:-1]]
        if cells and cells[0] in ("keep-alive", "reminders", "cleanup"):
            rows[cells[0]] = cells
    assert rows["keep-alive"][:4] == ["keep-alive", "infra", "0 6 * * *", "At 06:00 every day"]
    assert rows["keep-alive"][5:] == ["critical", "yes"]
    assert rows["reminders"][1:3] == ["business", "30 9 * * * Europe/Lisbon"]
    assert rows["cleanup"][-1] == "no"


def test_invalid_file_is_exit_2(cli, write_config):
    write_config(SCHEDULES.replace("priority: high", "priority: highest"))
    code, out, err = cli("list", "--local", "--json")
    assert code == 2
    assert out == ""
    assert "schedules.yaml:18:15: error: job 'reminders', priority:" in err


def test_unset_variables_do_not_stop_a_local_listing(cli, write_config):
    write_config(SCHEDULES.replace("https://app.example.com", "${APP_URL}")
                 + "    headers:\n      Authorization: Bearer ${CRON_SECRET}\n")
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    assert len(json.loads(out)["jobs"]) == 3


def test_descriptions_and_next_runs_come_from_each_providers_dialect(cli, write_config):
    """Issue 11: QStash descriptors (robfig accepts @every) and the Vercel Hobby hour window."""
    write_config("""\
version: 1
project: acme
base_url: https://app.example.com
vercel:
  plan: hobby
jobs:
  nightly:
    tier: infrastructure
    path: /api/cron/nightly
    schedule: "0 6 * * *"
  poll:
    tier: business
    path: /api/cron/poll
    schedule: "@every 90m"
  odd-or-monday:
    tier: business
    path: /api/cron/odd
    schedule: "0 0 */2 * 1"
""")
    start = datetime.now(UTC)
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)["jobs"]}
    assert rows["nightly"]["description"] == \
        "At 06:00 every day (Hobby plan: some time within that hour)"
    assert rows["poll"]["description"] == "Every 1 hour 30 minutes"
    poll_next = datetime.fromisoformat(rows["poll"]["next_run"])
    assert timedelta(0) < poll_next - start <= timedelta(minutes=90, seconds=1)
    assert rows["odd-or-monday"]["description"].endswith("of the month, and on Monday")
    nxt = datetime.fromisoformat(rows["odd-or-monday"]["next_run"])
    assert nxt.day % 2 == 1 or nxt.weekday() == 0  # either day field (robfig's OR rule)
