"""One bad input per validation rule, through `cronctl validate --json`.

Each case asserts the exit code, the line, the job and field named, the message and the hint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

INFRA_HEAD = """\
version: 1
project: acme
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
"""
BUSINESS_HEAD = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  reminders:
    tier: business
    path: /api/cron/reminders
"""


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    line: int
    job: str | None
    field: str | None
    message: str
    hint: str | None = None


def infra(schedule: str, extra: str = "") -> str:
    return INFRA_HEAD + f'    schedule: "{schedule}"\n' + extra


def business(schedule: str, extra: str = "") -> str:
    return BUSINESS_HEAD + f'    schedule: "{schedule}"\n' + extra


CASES = [
    Case("yaml-syntax", "version: 1\nproject: acme\njobs:\n  a: [1, 2\n", 5, None, None,
         "YAML syntax", "indentation"),
    Case("duplicate-top-level", "version: 1\nproject: a\nproject: b\njobs: {}\n", 3, None,
         "project", "duplicate key 'project' (first defined on line 2)", "remove or rename"),
    Case("duplicate-in-job", infra("0 6 * * *", '    path: /again\n'), 8, "keep-alive", "path",
         "duplicate key 'path' (first defined on line 6)"),
    Case("misspelt-enabled", infra("0 6 * * *", "    enabeld: false\n"), 8, "keep-alive",
         "enabeld", "unknown key 'enabeld'", "did you mean 'enabled'?"),
    Case("unknown-key-no-match", infra("0 6 * * *", "    colour: red\n"), 8, "keep-alive",
         "colour", "unknown key 'colour'", "allowed: "),
    Case("retries-string", business("0 9 * * *", '    retries: "three"\n'), 9, "reminders",
         "retries", "should be a valid integer (got 'three')", "whole number"),
    Case("enabled-quoted", infra("0 6 * * *", '    enabled: "yes"\n'), 8, "keep-alive",
         "enabled", "should be a valid boolean (got 'yes')", "true or false"),
    Case("unknown-tier", INFRA_HEAD.replace("infrastructure", "infra")
         + '    schedule: "0 6 * * *"\n', 5, "keep-alive", "tier", "unknown tier 'infra'",
         "infrastructure"),
    Case("unknown-tier-close", INFRA_HEAD.replace("infrastructure", "bussiness")
         + '    schedule: "0 6 * * *"\n', 5, "keep-alive", "tier", "unknown tier 'bussiness'",
         "did you mean 'business'?"),
    Case("unknown-priority", infra("0 6 * * *", "    priority: urgent\n"), 8, "keep-alive",
         "priority", "(got 'urgent')", "critical, high, medium, low"),
    Case("unknown-method", business("0 9 * * *", "    method: FETCH\n"), 9, "reminders",
         "method", "(got 'FETCH')", "GET, POST"),
    Case("unknown-plan", "version: 1\nproject: acme\nvercel:\n  plan: free\njobs: {}\n", 4,
         None, "vercel.plan", "(got 'free')", "hobby, pro, enterprise"),
    Case("job-name-not-an-id",
         "version: 1\nproject: acme\nbase_url: https://a.example.com\njobs:\n  bad name!:\n"
         "    tier: business\n    path: /x\n    schedule: \"0 9 * * *\"\n", 5, "bad name!", None,
         "job name 'bad name!' cannot become a QStash schedule ID", "letters, digits"),
    Case("invalid-timezone", business("0 9 * * *", "    timezone: Europe/Lisboa\n"), 9,
         "reminders", "timezone", "unknown timezone 'Europe/Lisboa'", "IANA"),
    Case("invalid-default-timezone",
         "version: 1\nproject: acme\ndefaults:\n  timezone: Mars/Olympus\njobs: {}\n", 4, None,
         "defaults.timezone", "unknown timezone 'Mars/Olympus'"),
    Case("business-without-base-url", BUSINESS_HEAD.replace("base_url: https://app.example.com\n",
                                                            "") + '    schedule: "0 9 * * *"\n',
         5, "reminders", "tier", "business jobs need 'base_url'", "base_url: ${APP_URL}"),
    Case("base-url-not-http", business("0 9 * * *").replace("https://app", "ftp://app"), 3,
         None, "base_url", "base_url 'ftp://app.example.com' is not an http(s) URL"),
    Case("version-2", "version: 2\nproject: acme\njobs: {}\n", 1, None, "version",
         "unsupported version 2", "version: 1"),
    Case("missing-version", "project: acme\njobs: {}\n", 1, None, "version",
         "missing 'version'"),
    Case("six-fields", infra("0 0 6 * * *"), 7, "keep-alive", "schedule",
         "expected 5 fields", None),
    Case("daily-macro", infra("@daily"), 7, "keep-alive", "schedule",
         "macro '@daily' is not supported", "'0 0 * * *'"),
    Case("weekday-name", infra("0 6 * * MON"), 7, "keep-alive", "schedule",
         "day-of-week 'MON': Vercel does not support names like MON or JAN"),
    Case("month-name", infra("0 6 1 JAN *"), 7, "keep-alive", "schedule",
         "month 'JAN': Vercel does not support names"),
    Case("last-day-L", infra("0 6 L * *"), 7, "keep-alive", "schedule",
         "day-of-month 'L': Vercel does not support L, W, # or ?"),
    Case("weekday-W", infra("0 6 15W * *"), 7, "keep-alive", "schedule",
         "day-of-month '15W': Vercel does not support L, W, # or ?"),
    Case("nth-weekday-hash", infra("0 6 * * 1#2"), 7, "keep-alive", "schedule",
         "day-of-week '1#2': Vercel does not support L, W, # or ?"),
    Case("question-mark", infra("0 6 ? * *"), 7, "keep-alive", "schedule",
         "day-of-month '?': Vercel does not support L, W, # or ?"),
    Case("sunday-7", infra("0 6 * * 7"), 7, "keep-alive", "schedule",
         "day-of-week '7': Vercel accepts 0-6 only", "Sunday as 0"),
    Case("dom-and-dow", infra("0 6 1 * 1"), 7, "keep-alive", "schedule",
         "Vercel does not support restricting both day-of-month and day-of-week"),
    Case("timezone-on-infra", infra("0 6 * * *", "    timezone: Europe/Lisbon\n"), 8,
         "keep-alive", "timezone", "Vercel runs cron jobs in UTC only", "convert the schedule"),
    Case("path-no-slash", INFRA_HEAD.replace("path: /api", "path: api")
         + '    schedule: "0 6 * * *"\n', 6, "keep-alive", "path",
         "path 'api/cron/keep-alive' must start with '/'"),
    Case("path-too-long", INFRA_HEAD.replace("/api/cron/keep-alive", "/" + "a" * 512)
         + '    schedule: "0 6 * * *"\n', 6, "keep-alive", "path",
         "path is 513 characters; Vercel allows 512"),
    Case("schedule-too-short", infra("* * * *"), 7, "keep-alive", "schedule",
         "must be 9 to 256 characters long"),
    Case("hobby-every-15", infra("*/15 * * * *").replace("jobs:", "vercel:\n  plan: hobby\njobs:"),
         9, "keep-alive", "schedule", "the Hobby plan allows cron jobs at most once a day"),
    Case("business-4-fields", business("0 9 * *"), 8, "reminders", "schedule",
         "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
    Case("business-never-fires", business("0 0 31 2 *"), 8, "reminders", "schedule",
         "'0 0 31 2 *' never fires (no such date)", "February"),
    Case("business-cron-tz-prefix", business("CRON_TZ=Europe/Lisbon 0 9 * * *"), 8, "reminders",
         "schedule", "write the zone in 'timezone', not as a CRON_TZ= prefix"),
    Case("retries-on-infra", infra("0 6 * * *", "    retries: 3\n"), 8, "keep-alive", "retries",
         "'retries' applies to business jobs only", "tier: business"),
    Case("header-value-newline", business("0 9 * * *", "    headers:\n      X-Key: |\n"
                                          "        abc\n"), 10, "reminders", "headers.X-Key",
         "header value contains a line break"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case, cli, write_config):
    path = write_config(case.text)
    code, out, err = cli("validate", "--json")
    assert code == 2, out
    assert "Traceback" not in err
    data = json.loads(out)
    assert data["valid"] is False
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert data["errors"] == len(errors) >= 1
    matching = [p for p in errors if case.message in p["message"]]
    assert matching, f"no error containing {case.message!r} in {errors}"
    problem = matching[0]
    assert problem["file"] == str(path)
    assert problem["line"] == case.line, problem
    assert isinstance(problem["col"], int) and problem["col"] >= 1
    assert problem["job"] == case.job
    assert problem["field"] == case.field
    if case.hint is not None:
        assert case.hint in (problem["hint"] or ""), problem


@pytest.mark.parametrize("case", CASES[:6], ids=[c.id for c in CASES[:6]])
def test_rule_in_text_output(case: Case, cli, write_config):
    """The plain output carries the same facts: file:line:col, job, field, message, hint."""
    write_config(case.text)
    code, out, err = cli("validate")
    assert code == 2
    assert f"schedules.yaml:{case.line}:" in err
    assert case.message in err
    if case.job:
        assert f"job {case.job!r}" in err
    if case.hint:
        assert "hint: " in err and case.hint in err
    assert "Traceback" not in err


def test_hobby_plan_allows_once_a_day(cli, write_config):
    write_config(infra("0 6 * * *").replace("jobs:", "vercel:\n  plan: hobby\njobs:"))
    code, out, err = cli("validate")
    assert code == 0, err
    assert "valid (1 infrastructure job, 0 business jobs)" in out


def test_pro_plan_allows_every_15_minutes(cli, write_config):
    write_config(infra("*/15 * * * *"))
    assert cli("validate").code == 0


def test_path_of_exactly_512_is_fine(cli, write_config):
    write_config(INFRA_HEAD.replace("/api/cron/keep-alive", "/" + "a" * 511)
                 + '    schedule: "0 6 * * *"\n')
    code, _, err = cli("validate")
    assert code == 0, err


def test_infra_timezone_utc_is_accepted(cli, write_config):
    write_config(infra("0 6 * * *", "    timezone: UTC\n"))
    assert cli("validate").code == 0


def _infra_jobs(count: int, *, disabled: int = 0) -> str:
    lines = ["version: 1", "project: acme", "jobs:"]
    for i in range(count + disabled):
        lines += [f"  job-{i:03d}:", "    tier: infrastructure", f"    path: /api/cron/j{i}",
                  '    schedule: "0 6 * * *"']
        if i >= count:
            lines.append("    enabled: false")
    return "\n".join(lines) + "\n"


def test_more_than_100_enabled_infrastructure_jobs(cli, write_config):
    write_config(_infra_jobs(101))
    code, out, _ = cli("validate", "--json")
    assert code == 2
    (problem,) = json.loads(out)["problems"]
    assert problem["message"] == "101 infrastructure jobs; Vercel allows at most 100"
    assert problem["job"] == "job-100"
    assert problem["line"] == 4 + 100 * 4  # the 101st job's name


def test_100_enabled_plus_disabled_ones_is_fine(cli, write_config):
    write_config(_infra_jobs(100, disabled=5))
    code, out, err = cli("validate")
    assert code == 0, err
    # valid; the one warning is the limits table's "100 of the 100 Vercel allows"
    assert "valid (105 infrastructure jobs, 0 business jobs, 1 warning)" in out
    assert "100 Vercel cron jobs of the 100 Vercel allows per project" in out


def test_several_errors_reported_in_one_run(cli, write_config):
    write_config(
        """\
        version: 1
        project: acme
        vercel:
          plan: free
        base_url: https://app.example.com
        jobs:
          keep-alive:
            tier: infrastructure
            path: /api/cron/keep-alive
            schedule: "0 6 * * MON"
            enabeld: false
          reminders:
            tier: business
            path: reminders
            schedule: "0 9 * *"
            retries: "three"
            timezone: Europe/Lisboa
          reminders:
            tier: business
            path: /api/cron/reminders
            schedule: "0 9 * * *"
        """
    )
    code, out, _ = cli("validate", "--json")
    assert code == 2
    data = json.loads(out)
    found = sorted((p["line"], p["job"], p["field"]) for p in data["problems"])
    assert found == [
        (4, None, "vercel.plan"),
        (10, "keep-alive", "schedule"),
        (11, "keep-alive", "enabeld"),
        (18, "reminders", None),  # the duplicate job name
    ], data["problems"]
    assert data["errors"] == 4


def test_errors_in_one_job_all_reported(cli, write_config):
    """A type error does not hide the job's other problems (path, cron, zone)."""
    write_config(business("0 9 * *", '    retries: "three"\n    timezone: Europe/Lisboa\n')
                 .replace("path: /api", "path: api"))
    code, out, _ = cli("validate", "--json")
    assert code == 2
    fields = sorted(p["field"] for p in json.loads(out)["problems"])
    assert fields == ["path", "retries", "schedule", "timezone"]


def test_top_level_error_does_not_hide_job_errors(cli, write_config):
    write_config(infra("0 6 * * 7").replace("project: acme", "project: Acme"))
    code, out, _ = cli("validate", "--json")
    assert code == 2
    found = sorted((p["line"], p["field"]) for p in json.loads(out)["problems"])
    assert found == [(2, "project"), (7, "schedule")]


def test_valid_file_has_no_problems(cli, write_config):
    write_config(business("0 9 * * *", "    timezone: Europe/Lisbon\n"))
    code, out, err = cli("validate", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["valid"] is True
    assert data["errors"] == 0 and data["warnings"] == 0 and data["problems"] == []


def test_bad_base_url_type_is_one_error_not_two(cli, write_config):
    write_config(business("0 9 * * *").replace("base_url: https://app.example.com",
                                               "base_url: [https://app.example.com]"))
    code, out, _ = cli("validate", "--json")
    assert code == 2
    problems = json.loads(out)["problems"]
    assert [(p["field"], p["line"]) for p in problems] == [("base_url", 3)]
    assert problems[0]["message"] == "should be a valid string"
