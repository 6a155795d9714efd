"""Provider limits (targets/limits.py): one table per target, every row dated and sourced, and
the file's jobs checked against it as warnings in `validate` (file and line) and in plans."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from cronctl import targets
from cronctl.cron import get_dialect
from cronctl.targets import limits
from cronctl.targets.qstash.quotas import forecast


@pytest.mark.parametrize("name", [p.name for p in targets.plugins() if p.quotas])
def test_every_row_is_dated_and_sourced(name):
    rows = limits.table(targets.plugin(name))
    assert rows
    for row in rows:
        assert date.fromisoformat(row.read) <= date.today()
        assert re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}/", row.source), row
        assert row.what and row.value and row.plans


def jobs_file(n: int, target: str, schedule: str, extra: str = "") -> str:
    head = "version: 1\nproject: acme\nbase_url: https://acme.example.com\njobs:\n"
    return head + "".join(f"  j{i}:\n    target: {target}\n    path: /api/cron/j{i}\n"
                          f"    schedule: \"{schedule}\"\n{extra}" for i in range(n))


def test_vercel_warns_near_its_100_crons_a_project_and_refuses_over(cli, write_config):
    write_config(jobs_file(89, "vercel", "17 3 * * *"))
    assert "Vercel allows" not in cli("validate").out
    write_config(jobs_file(90, "vercel", "17 3 * * *"))
    result = cli("validate")
    assert result.code == 0, result.err
    assert "schedules.yaml:364:15: warning: job 'j89', schedule: 90 Vercel cron jobs of the " \
           "100 Vercel allows per project (read 2026-12-08" in result.out
    write_config(jobs_file(101, "vercel", "17 3 * * *"))
    result = cli("validate")
    assert result.code == 2 and "101 infrastructure jobs; Vercel allows at most 100" in \
        result.err


def test_qstash_forecasts_the_daily_messages_against_the_free_plan(cli, write_config):
    minute = get_dialect("qstash")
    job = limits.Scheduled("a", "*/5 * * * *", None, True)
    assert limits.runs_per_day(minute, job) == 288
    weekdays = limits.Scheduled("b", "0 9 * * 1-5", "Europe/Lisbon", True)
    assert limits.runs_per_day(minute, weekdays) == pytest.approx(5 / 7)
    assert forecast([job, weekdays, limits.Scheduled("c", "* * * * *", None, False)]) == \
        pytest.approx(288 + 5 / 7)
    write_config(jobs_file(4, "qstash", "*/5 * * * *"))  # 4 x 288 = 1,152 a day
    result = cli("validate")
    assert "about 1,152 messages a day before retries: the Free plan allows 1,000" in result.out
    assert "active schedules" not in result.out
    write_config(jobs_file(11, "qstash", "17 3 * * *"))
    assert "11 QStash schedules: the Free plan allows 10 active" in cli("validate").out


def test_github_warnings_are_in_the_plan_too(cli, write_config):
    write_config(jobs_file(2, "github", "0 */6 * * *"))
    plan = json.loads(cli("diff", "--json").out)["github"]
    assert "job 'j0': it fires at the top of the hour, GitHub's busiest time" in \
        " ".join(plan["warnings"])
    assert any("60 days without activity" in w for w in plan["warnings"])
    text = cli("diff").out
    assert "warning: job 'j1': it fires at the top of the hour" in text


def test_a_target_without_a_table_has_no_findings():
    assert limits.check(targets.plugin("kubernetes"), [limits.Scheduled("a", "* * * * *",
                                                                        None, True)], None) == []
