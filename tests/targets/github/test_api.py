"""The github target through GitHub's REST API: trigger (workflow_dispatch), pause and resume
(disable / enable), `logs` (workflow runs) and `verify`'s observations (event=schedule runs),
against a loopback GitHub held to GitHub's own OpenAPI description (fake_github.py): every
request cronctl sends and every answer it parses fits the description, or the test fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cronctl.config import load_config
from cronctl.targets.github.target import GitHubTarget

from .fake_github import FakeGitHub

FILE = """\
version: 1
project: acme
base_url: https://acme.example.com
github:
  repository: acme/web
jobs:
  nightly:
    target: github
    path: /api/cron/nightly
    schedule: "17 2 * * *"
"""


@pytest.fixture
def gh(monkeypatch):
    with FakeGitHub(token="ghp_secret123") as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake
        assert fake.errors == []


def at(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def test_trigger_dispatches_on_the_default_branch_and_waits_for_the_run(cli, write_config, gh):
    write_config(FILE)
    result = cli("trigger", "nightly", "--yes", "--json")
    assert result.code == 0, result.err
    facts = json.loads(result.out)
    assert facts["workflow"] == "cron-nightly.yml" and facts["ref"] == "main"
    assert facts["run_id"] == 9_000_001
    assert [c[0] for c in gh.calls] == ["repos/get", "actions/create-workflow-dispatch"]
    assert gh.calls[1][1] == "/repos/acme/web/actions/workflows/cron-nightly.yml/dispatches"
    assert gh.bodies == [{"ref": "main", "return_run_details": True}]
    assert "ghp_secret123" not in result.out + result.err


def test_trigger_wait_follows_the_run_to_its_end(cli, write_config, gh, monkeypatch):
    write_config(FILE)
    monkeypatch.setenv("CRONCTL_POLL_INTERVAL", "0.01")
    original = gh._serve

    def finish_on_read(operation, params, query, body):  # the run ends when it is first read
        if operation == "actions/get-workflow-run":
            for r in gh.runs["cron-nightly.yml"]:
                r.update(status="completed", conclusion="failure",
                         updated_at="2020-01-22T19:35:08Z")
        return original(operation, params, query, body)

    gh._serve = finish_on_read
    result = cli("trigger", "nightly", "--yes", "--wait", "--json")
    assert result.code == 1, result.err  # the run failed
    run = json.loads(result.out)["run"]
    assert run["state"] == "failed" and run["started_by"] == "manual"
    assert run["run_id"] == "9000001" and run["duration_ms"] == 120_000


def test_pause_and_resume_disable_and_enable_the_workflow(cli, write_config, gh):
    write_config(FILE)
    assert cli("pause", "nightly").code == 0
    assert gh.states["cron-nightly.yml"] == "disabled_manually"
    assert cli("resume", "nightly").code == 0
    assert gh.states["cron-nightly.yml"] == "active"
    assert [c[1] for c in gh.calls] == [
        "/repos/acme/web/actions/workflows/cron-nightly.yml/disable",
        "/repos/acme/web/actions/workflows/cron-nightly.yml/enable"]


def test_logs_reads_the_workflow_runs(cli, write_config, gh):
    write_config(FILE)
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    gh.runs["cron-nightly.yml"] = [
        gh.run(id=2, event="workflow_dispatch", status="in_progress", conclusion=None,
               run_started_at=stamp, created_at=stamp, updated_at=stamp),
        gh.run(id=1, event="schedule", status="completed", conclusion="success",
               run_started_at=stamp, created_at=stamp, updated_at=stamp)]
    result = cli("logs", "nightly", "--json")
    assert result.code == 0, result.err
    runs = json.loads(result.out)["runs"]
    assert [(r["run_id"], r["started_by"], r["state"]) for r in runs] == [
        ("2", "manual", "in-flight"), ("1", "schedule", "delivered")]
    query = gh.calls[0][2]
    assert query["per_page"] == "50" and query["created"].startswith(">=")


def test_observed_are_the_scheduled_runs_by_start(write_config, gh):
    path = write_config(FILE)
    target = GitHubTarget(load_config(path, {"GITHUB_TOKEN": gh.token,
                                             "GITHUB_API_URL": gh.url}))
    gh.runs["cron-nightly.yml"] = [
        gh.run(id=11, event="workflow_dispatch", status="completed", conclusion="success"),
        gh.run(id=10, event="schedule", status="completed", conclusion="failure",
               run_started_at="2026-12-07T02:31:40Z", created_at="2026-12-07T02:31:39Z",
               updated_at="2026-12-07T02:33:00Z")]
    since, until = at("2026-12-06T00:00:00Z"), at("2026-12-08T00:00:00Z")
    found, requests = target.observed(target.jobs, since_ms=since, until_ms=until)
    assert requests == 1
    assert [(o.run_id, o.slot_ms, o.started_ms, o.ended_ms, o.outcome) for o in found] == [
        ("10", None, at("2026-12-07T02:31:40Z"), at("2026-12-07T02:33:00Z"), "failed")]
    assert gh.calls[0][2]["event"] == "schedule"
    assert gh.calls[0][2]["created"] == "2026-12-06T00:00:00Z..2026-12-08T00:00:00Z"
    assert target.tolerance_for(target.jobs[0]).total_seconds() == 3600


def test_liveness_says_when_github_disabled_the_workflow(write_config, gh):
    path = write_config(FILE + "  gone:\n    target: github\n    path: /g\n"
                        "    schedule: '5 5 * * *'\n")
    target = GitHubTarget(load_config(path, {"GITHUB_TOKEN": gh.token,
                                             "GITHUB_API_URL": gh.url}))
    gh.states["cron-nightly.yml"] = "disabled_inactivity"
    gh.missing.add("cron-gone.yml")
    live = target.liveness(target.jobs)
    assert live["nightly"].paused and "60 days without activity" in live["nightly"].drift
    assert live["nightly"].since_ms == at("2026-11-01T10:00:00Z")
    assert not live["gone"].present


def test_without_a_token_the_refusal_says_what_to_set(cli, write_config):
    write_config(FILE)
    result = cli("pause", "nightly")
    assert result.code == 2
    assert "GITHUB_TOKEN is not set" in result.err


def test_the_fake_checks_requests_and_answers_against_the_description(gh):
    """The control: an undeclared parameter, a bad body and an answer that breaks GitHub's
    schema are each caught."""
    import httpx

    headers = {"Authorization": f"Bearer {gh.token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    base = f"{gh.url}/repos/acme/web/actions/workflows/w.yml"
    httpx.get(f"{base}/runs", params={"per_page": "many", "colour": "red"}, headers=headers)
    httpx.post(f"{base}/dispatches", json={"inputs": {}}, headers=headers)
    gh.runs["w.yml"] = [gh.run(id="not-a-number")]
    assert httpx.get(f"{base}/runs", headers=headers).status_code == 500
    found = list(gh.errors)
    gh.errors.clear()
    assert any("per_page" in e for e in found)
    assert any("undeclared query parameter colour" in e for e in found)
    assert any("'ref' is a required property" in e for e in found)
    assert any("does not fit" in e and "not-a-number" in e for e in found)
