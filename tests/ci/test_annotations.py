"""GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=...::message`.

The runner reads them from stdout and stderr alike; cronctl writes them to stderr so they never
mix into JSON on stdout or into `diff --markdown > plan.md`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl.ci import annotation
from cronctl.config.diagnostics import Diagnostic

# Two errors (line 7 col 11, line 12 col 15) and one warning (unset ${APP_URL}, line 3 col 11).
TWO_ERRORS_ONE_WARNING = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  keep-alive:
    tier: infrastructure
    path: api/cron/keep-alive
    schedule: "0 6 * * *"
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "0 9 * *"
"""
WARNING = (
    "::warning file=schedules.yaml,line=3,col=11,title=cronctl::base_url: ${APP_URL} is not "
    "set (hint: export APP_URL before running commands that need this value)"
)
ERROR_PATH = (
    "::error file=schedules.yaml,line=7,col=11,title=cronctl%3A keep-alive::path: path "
    "'api/cron/keep-alive' must start with '/' (hint: e.g. /api/cron/cleanup)"
)
ERROR_SCHEDULE = (
    "::error file=schedules.yaml,line=12,col=15,title=cronctl%3A reminders::schedule: expected 5 "
    "fields (minute hour day-of-month month day-of-week), got 4 (hint: QStash parses crons with "
    "robfig/cron v3: five fields, no seconds or year; e.g. '*/15 * * * *' runs every 15 minutes)"
)

# Characters that must be escaped: ',' and ':' in a property (the title, from the job name;
# the file name), '%' in the message (the hint suggests '%20').
ESCAPES = """\
version: 1
project: acme
jobs:
  "a,b:c":
    tier: infrastructure
    path: "/api/cron/50% off"
    schedule: "0 6 * * *"
"""


def commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


@pytest.fixture
def gha(project_dir: Path) -> dict[str, str]:
    return {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(project_dir)}


def test_validate_prints_one_command_per_problem(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING)
    code, out, err = cli("validate", env=gha)
    assert code == 2
    assert commands(out) == []  # stdout stays free of workflow commands
    assert sorted(commands(err)) == sorted([WARNING, ERROR_PATH, ERROR_SCHEDULE])
    # The human-readable report is still there, with absolute paths.
    assert f"{Path.cwd() / 'schedules.yaml'}:7:11: error:" in err


def test_validate_json_stays_valid_json_in_github(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING)
    code, out, err = cli("validate", "--json", env=gha)
    assert code == 2
    data = json.loads(out)
    assert (data["errors"], data["warnings"]) == (2, 1)
    assert len(commands(err)) == 3


def test_warnings_only_file_annotates_and_passes(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING.replace("api/cron/keep-alive", "/api/cron/keep-alive")
                 .replace('"0 9 * *"', '"0 9 * * *"'))
    code, out, err = cli("validate", env=gha)
    assert code == 0, err
    assert commands(out + "\n" + err) == [WARNING]


def test_generate_on_invalid_file_annotates_each_error(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING)
    code, out, err = cli("generate", env=gha)
    assert code == 2
    assert sorted(commands(out + "\n" + err)) == sorted([ERROR_PATH, ERROR_SCHEDULE])
    assert not (Path.cwd() / "vercel.json").exists()


def test_generate_check_annotates_too(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING)
    code, out, err = cli("generate", "--check", env=gha)
    assert code == 2
    assert sorted(commands(err)) == sorted([ERROR_PATH, ERROR_SCHEDULE])


def test_properties_and_data_are_escaped(cli, write_config, gha):
    write_config(ESCAPES, name="sub,dir/sched:1.yaml")
    code, _, err = cli("-c", "sub,dir/sched:1.yaml", "validate", env=gha)
    assert code == 2
    found = commands(err)
    assert len(found) == 2
    for line in found:
        props, _, message = line[len("::error "):].partition("::")
        assert props.startswith("file=sub%2Cdir/sched%3A1.yaml,line=")
        assert props.endswith(",title=cronctl%3A a%2Cb%3Ac")
        # Unescaped ',' or ':' would split the property list.
        assert [p.split("=", 1)[0] for p in props.split(",")] == ["file", "line", "col", "title"]
    assert any(m.endswith("(hint: e.g. /api/cron/cleanup)") for m in found)


def test_file_outside_the_workspace_keeps_its_path(cli, write_config, project_dir,
                                                   tmp_path_factory):
    write_config(TWO_ERRORS_ONE_WARNING)
    elsewhere = tmp_path_factory.mktemp("workspace")
    code, _, err = cli("validate", env={"GITHUB_ACTIONS": "true",
                                        "GITHUB_WORKSPACE": str(elsewhere)})
    assert code == 2
    path = str((project_dir / "schedules.yaml").resolve())
    expected = path.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert len(commands(err)) == 3
    assert all(f" file={expected},line=" in line for line in commands(err))


def test_file_in_a_subfolder_is_relative_to_the_workspace(cli, write_config, gha):
    write_config(TWO_ERRORS_ONE_WARNING, name="config/schedules.yaml")
    code, _, err = cli("-c", "config/schedules.yaml", "validate", env=gha)
    assert code == 2
    assert {line.split(",")[0].split(" ", 1)[1] for line in commands(err)} == {
        "file=config/schedules.yaml"
    }


@pytest.mark.parametrize("value", [None, "false", "1", ""])
def test_no_commands_outside_github_actions(cli, write_config, project_dir, value):
    write_config(TWO_ERRORS_ONE_WARNING)
    env = {"GITHUB_ACTIONS": value, "GITHUB_WORKSPACE": str(project_dir)}
    for args in (["validate"], ["validate", "--json"], ["generate"], ["-c", "nope.yaml", "list"]):
        code, out, err = cli(*args, env=env)
        assert code == 2, args
        assert "::" not in out + err, args


def test_non_config_error_is_one_error_command(cli, gha):
    code, out, err = cli("-c", "missing.yaml", "validate", env=gha)
    assert code == 2
    found = commands(out + "\n" + err)
    assert len(found) == 1
    line = found[0]
    assert line.startswith("::error title=cronctl::missing.yaml: no such file")
    assert "\n" not in line
    assert "%0A  hint: run 'cronctl init'" in line  # the two-line message joined by %0A
    assert "error: missing.yaml: no such file" in err  # and the plain message as before


def test_annotation_escapes_every_special_character(project_dir):
    d = Diagnostic(
        severity="error",
        message="100% wrong\r\nsecond: line, too",
        file="/nowhere/a,b:c%.yaml",  # outside the workspace: kept as is
        line=4,
        col=2,
        job="j,o:b%",
        field="headers",
        hint="see\nthis",
    )
    assert annotation(d) == (
        "::error file=/nowhere/a%2Cb%3Ac%25.yaml,line=4,col=2,title=cronctl%3A j%2Co%3Ab%25"
        "::headers: 100%25 wrong%0D%0Asecond: line, too (hint: see%0Athis)"
    )


def test_annotation_without_line_or_job(project_dir):
    d = Diagnostic(severity="warning", message="m", file="/nowhere/s.yaml")
    assert annotation(d) == "::warning file=/nowhere/s.yaml,title=cronctl::m"
