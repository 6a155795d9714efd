"""`cronctl validate [--json]`: output, exit codes, and the real console script."""

from __future__ import annotations

import json

GOOD = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "0 9 * * *"
"""
BAD = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  keep-alive:
    tier: infrastructure
    path: api/cron/keep-alive
    schedule: "0 6 * * 7"
    enabeld: true
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "0 9 * *"
"""
PROBLEM_KEYS = {"severity", "message", "file", "line", "col", "job", "field", "hint"}


def test_valid_file_text_output(cli, write_config):
    path = write_config(GOOD)
    code, out, err = cli("validate", env={"APP_URL": "https://app.example.com"})
    assert code == 0
    assert out == f"{path}: valid (1 infrastructure job, 1 business job)\n"
    assert err == ""


def test_invalid_file_text_output_lists_everything_on_stderr(cli, write_config):
    path = write_config(BAD)
    code, out, err = cli("validate")
    assert code == 2
    assert out.count("warning:") == 1  # ${APP_URL}; warnings go to stdout
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert sorted(lines) == sorted([
        f"{path}:7:11: error: job 'keep-alive', path: path 'api/cron/keep-alive' must start "
        "with '/'",
        f"{path}:8:15: error: job 'keep-alive', schedule: day-of-week '7': Vercel accepts 0-6 "
        "only",
        f"{path}:9:5: error: job 'keep-alive', enabeld: unknown key 'enabeld'",
        f"{path}:13:15: error: job 'reminders', schedule: expected 5 fields (minute hour "
        "day-of-month month day-of-week), got 4",
    ])
    assert err.count("  hint: ") == 4
    assert err.rstrip().endswith(f"{path}: 4 errors, 1 warning")
    assert "Traceback" not in err


def test_json_shape(cli, write_config):
    path = write_config(BAD)
    code, out, err = cli("validate", "--json")
    assert code == 2
    assert err == ""
    data = json.loads(out)
    assert set(data) == {"file", "valid", "errors", "warnings", "problems"}
    assert data["file"] == str(path)
    assert (data["valid"], data["errors"], data["warnings"]) == (False, 4, 1)
    assert len(data["problems"]) == 5
    for p in data["problems"]:
        assert set(p) == PROBLEM_KEYS
        assert p["file"] == str(path)
        assert isinstance(p["line"], int) and isinstance(p["col"], int)
        assert p["severity"] in ("error", "warning")
        assert p["hint"]
    warning = next(p for p in data["problems"] if p["severity"] == "warning")
    assert warning == {
        "severity": "warning",
        "message": "${APP_URL} is not set",
        "file": str(path),
        "line": 3,
        "col": 11,
        "job": None,
        "field": "base_url",
        "hint": "export APP_URL before running commands that need this value",
    }
    typo = next(p for p in data["problems"] if p["field"] == "enabeld")
    assert (typo["job"], typo["line"], typo["hint"]) == ("keep-alive", 9, "did you mean 'enabled'?")


def test_json_for_a_valid_file(cli, write_config):
    write_config(GOOD)
    code, out, _ = cli("validate", "--json", env={"APP_URL": "https://app.example.com"})
    assert code == 0
    data = json.loads(out)
    assert (data["valid"], data["errors"], data["warnings"], data["problems"]) == (
        True, 0, 0, [])


def test_json_for_a_yaml_syntax_error(cli, write_config):
    write_config("version: 1\nproject: acme\njobs:\n  a: {tier: business\n")
    code, out, _ = cli("validate", "--json")
    assert code == 2
    (problem,) = json.loads(out)["problems"]
    assert problem["message"].startswith("YAML syntax: ")
    assert problem["line"] == 5 and problem["job"] is None


def test_github_annotations(cli, write_config):
    write_config(BAD)
    code, _, err = cli("validate", env={"GITHUB_ACTIONS": "true"})
    assert code == 2
    assert "::error file=schedules.yaml,line=9,col=5,title=cronctl%3A keep-alive::enabeld: " \
        "unknown key 'enabeld' (hint: did you mean 'enabled'?)" in err


def test_usage_error_is_exit_2(cli, write_config):
    write_config(GOOD)
    code, _, err = cli("validate", "--nope")
    assert code == 2
    assert "No such option" in err


def test_console_script_end_to_end(run_cronctl, tmp_path):
    (tmp_path / "schedules.yaml").write_text(BAD)
    result = run_cronctl("validate", cwd=tmp_path)
    assert result.code == 2
    assert "schedules.yaml:9:5: error: job 'keep-alive', enabeld: unknown key 'enabeld'" \
        in result.err
    assert "Traceback" not in result.err
    (tmp_path / "schedules.yaml").write_text(GOOD)
    result = run_cronctl("validate", cwd=tmp_path, env={"APP_URL": "https://a.example.com"})
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedules.yaml"]


SURPRISES = """\
version: 1
project: acme
base_url: https://app.example.com
vercel:
  plan: hobby
jobs:
  nightly:
    tier: infrastructure
    path: /api/cron/nightly
    schedule: "0 3 * * *"
  every-minute:
    tier: infrastructure
    path: /api/cron/often
    schedule: "*/60 * * * *"
  odd-days-or-mondays:
    tier: business
    path: /api/cron/a
    schedule: "0 0 */2 * 1"
  in-the-gap:
    tier: business
    path: /api/cron/b
    schedule: "30 2 * * *"
    timezone: America/New_York
  sunday-seven:
    tier: business
    path: /api/cron/c
    schedule: "0 0 * * 7"
  daily-macro:
    tier: business
    path: /api/cron/d
    schedule: "@daily"
"""


def test_each_job_is_checked_by_its_providers_dialect(cli, write_config):
    """Issue 11: Vercel's strict rules, QStash's robfig rules, and warnings for surprises."""
    write_config(SURPRISES)
    code, out, err = cli("validate", "--json")
    assert code == 2, err
    found = {(d["job"], d["severity"]): d for d in json.loads(out)["problems"]}
    assert set(found) == {("every-minute", "error"), ("sunday-seven", "error"),
                          ("odd-days-or-mondays", "warning"), ("in-the-gap", "warning")}
    # Vercel takes */60 (minute 0 only), but hourly is more than Hobby's once a day
    assert "at most once a day" in found["every-minute", "error"]["message"]
    assert "end of range (7) above maximum (6)" in found["sunday-seven", "error"]["message"]
    assert "Sunday as 0" in found["sunday-seven", "error"]["hint"]
    assert "EITHER" in found["odd-days-or-mondays", "warning"]["message"]
    gap = found["in-the-gap", "warning"]
    assert "02:30 does not exist in America/New_York" in gap["message"]
    assert gap["field"] == "schedule" and gap["line"] == 22


def test_warnings_alone_do_not_fail_validation(cli, write_config):
    write_config(SURPRISES.replace('"*/60 * * * *"', '"0 4 * * *"').replace(
        '"0 0 * * 7"', '"0 0 * * 0"'))
    code, out, _ = cli("validate")
    assert code == 0
    assert out.count("warning:") == 2
