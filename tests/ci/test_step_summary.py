"""$GITHUB_STEP_SUMMARY: the plan is appended as Markdown, scrubbed of secrets, only in Actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from cronctl import output
from cronctl.ci import append_summary

PLAN = "### cronctl plan: `acme`\n\n| | job | change |\n|---|---|---|\n"


@pytest.fixture
def summary(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = project_dir / "step_summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    return path


def test_appends_and_never_truncates(summary: Path):
    summary.write_text("## earlier step\n\nkeep me\n", encoding="utf-8")
    append_summary(PLAN)
    append_summary("second **plan**")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## earlier step\n\nkeep me\n")
    assert text.index(PLAN.rstrip("\n")) < text.index("second **plan**")
    assert text.endswith("second **plan**\n\n")
    assert text.count("keep me") == 1


def test_creates_the_file_when_missing(summary: Path):
    append_summary(PLAN)
    assert summary.read_text(encoding="utf-8") == PLAN.rstrip("\n") + "\n\n"


@pytest.mark.parametrize("value", [None, "false", "1"])
def test_only_in_github_actions(summary: Path, monkeypatch: pytest.MonkeyPatch, value):
    if value is None:
        monkeypatch.delenv("GITHUB_ACTIONS")
    else:
        monkeypatch.setenv("GITHUB_ACTIONS", value)
    append_summary(PLAN)
    assert not summary.exists()


def test_nothing_without_a_summary_file(summary: Path, monkeypatch: pytest.MonkeyPatch,
                                        project_dir: Path, snapshot):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    before = snapshot(project_dir)
    append_summary(PLAN)
    assert snapshot(project_dir) == before


def test_registered_secrets_are_scrubbed(summary: Path):
    output.add_secrets(["tok-abcdef-123", "tok-abcdef-123-longer"])
    append_summary("token tok-abcdef-123-longer and tok-abcdef-123 in `a|b`")
    text = summary.read_text(encoding="utf-8")
    assert "tok-abcdef" not in text
    assert text == "token *** and *** in `a|b`\n\n"


def test_unwritable_summary_warns_and_does_not_raise(summary: Path, monkeypatch, capsys,
                                                     project_dir: Path):
    missing = project_dir / "no-such-dir" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(missing))
    append_summary(PLAN)
    assert not missing.exists()
    err = capsys.readouterr().err
    assert "warning: could not write the step summary" in err


CONFIG = """\
version: 1
project: acme
base_url: https://app.example.com
defaults:
  headers:
    Authorization: Bearer ${CRON_SECRET}
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
  reminders:
    tier: business
    path: /api/cron/reminders/${CRON_SECRET}
    schedule: "0 9 * * *"
"""
SECRET = "cron-secret-value-7f3a9c"


def test_diff_writes_the_plan_to_the_step_summary(cli, write_config, project_dir: Path):
    testing = pytest.importorskip("cronctl.testing")
    write_config(CONFIG)
    path = project_dir / "summary.md"
    path.write_text("before\n", encoding="utf-8")
    with testing.DevServer(memory=True) as server:
        env = {**server.env(), "CRON_SECRET": SECRET, "GITHUB_ACTIONS": "true",
               "GITHUB_STEP_SUMMARY": str(path), "GITHUB_WORKSPACE": str(project_dir)}
        code, out, err = cli("diff", env=env)
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.startswith("before\n")
    assert "### cronctl plan: `acme`" in text
    assert "| | job | change |" in text
    assert "`reminders` | create:" in text
    assert "**vercel.json** changes:" in text  # no vercel.json yet
    assert "https://app.example.com/api/cron/reminders/***" in text
    assert SECRET not in text
    assert SECRET not in out + err
    assert "::" not in out  # no annotations for a clean run
