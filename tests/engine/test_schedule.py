"""`cronctl schedule` against a real `cronctl dev` on loopback."""

from __future__ import annotations

import json

import pytest

ID = "cronctl.acme."


def test_first_sync_creates_then_a_second_sync_is_one_request(project):
    project.write(project.job("a") + project.job("b", schedule="*/15 * * * *"))
    first = project.run("schedule", "--yes")
    assert first.code == 0, first.err
    assert "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged." in first.out
    live = project.schedules()
    assert set(live) == {ID + "a", ID + "b"}
    assert live[ID + "a"]["destination"] == "https://app.example.com/api/cron/a"

    project.server.reset_counts()
    second = project.run("schedule", "--yes")
    assert second.code == 0
    assert "No changes" in second.out and "2 unchanged" in second.out
    assert project.server.request_count() == 1


def test_k_changes_cost_one_plus_k_requests(project):
    project.write("".join(project.job(f"j{i}") for i in range(6)))
    assert project.run("schedule", "--yes").code == 0
    project.write("".join(project.job(f"j{i}", schedule="5 9 * * *" if i < 3 else "0 9 * * *")
                          for i in range(5)))
    project.server.reset_counts()
    result = project.run("schedule", "--yes")
    assert result.code == 0, result.err
    assert "Plan: 0 to create, 3 to update, 1 to delete, 2 unchanged." in result.out
    assert project.server.request_count() == 1 + 4


def test_every_field_updates_and_then_is_stable(project):
    project.write(project.job("full"))
    assert project.run("schedule", "--yes").code == 0
    extra = """
timezone: Europe/Lisbon
method: put
headers:
  X-Tenant: acme
retries: 5
retry_delay: pow(2, retried) * 1000
delay: 2m
timeout: 30s
body: {kind: daily, n: 2}
labels: [notifications, payments]
callback: /api/cron/done
failure_callback: https://hooks.example.com/failed
concurrency: 2
"""
    project.write(project.job("full", schedule="30 7 * * 1-5", extra=extra))
    diff = project.run("diff", "--json")
    fields = {f["field"] for f in json.loads(diff.out)["qstash"]["changes"][0]["fields"]}
    assert fields == {"cron", "timezone", "method", "headers", "body", "retries", "retry_delay",
                      "delay", "timeout", "callback", "failure_callback", "labels",
                      "parallelism"}
    result = project.run("schedule", "--yes")
    assert result.code == 0, result.err
    s = project.schedules()[ID + "full"]
    assert s["cron"] == "CRON_TZ=Europe/Lisbon 30 7 * * 1-5"
    assert s["method"] == "PUT"
    assert s["retries"] == 5
    assert json.loads(s["body"]) == {"kind": "daily", "n": 2}
    assert s["callback"] == "https://app.example.com/api/cron/done"
    assert s["failureCallback"] == "https://hooks.example.com/failed"
    # The job's own labels, and the one every run of the job carries (manual runs too).
    assert sorted(s["labels"]) == ["cronctl.acme.full", "notifications", "payments"]
    project.server.reset_counts()
    again = project.run("schedule", "--yes")
    assert "1 unchanged" in again.out, again.out
    assert project.server.request_count() == 1


def test_removed_job_is_deleted_unless_no_prune(project):
    project.write(project.job("keep") + project.job("gone"))
    project.run("schedule", "--yes")
    project.write(project.job("keep"))
    kept = project.run("schedule", "--yes", "--no-prune")
    assert kept.code == 0 and ID + "gone" in project.schedules()
    assert "orphaned, kept" in kept.out
    deleted = project.run("schedule", "--yes")
    assert "1 to delete" in deleted.out
    assert set(project.schedules()) == {ID + "keep"}


def test_enabled_false_pauses_and_true_resumes(project):
    project.write(project.job("p", extra="enabled: false"))
    assert project.run("schedule", "--yes").code == 0
    assert project.schedules()[ID + "p"]["isPaused"] is True
    project.server.reset_counts()
    assert "0 to create" in project.run("schedule", "--yes").out
    assert project.server.request_count() == 1  # paused and unchanged: no write
    project.write(project.job("p"))
    result = project.run("schedule", "--yes")
    assert "1 to resume" in result.out
    assert project.schedules()[ID + "p"]["isPaused"] is False


def test_unmanaged_schedules_survive_schedule_and_cleanup_all(project):
    from qstash import QStash

    sdk = QStash(project.server.token, base_url=project.server.url)
    other = sdk.schedule.create(destination="https://other.example.com/x", cron="0 1 * * *",
                                schedule_id="theirs")
    project.write(project.job("mine"))
    result = project.run("schedule", "--yes")
    assert "1 unmanaged left alone" in result.out
    assert other in project.schedules()
    cleanup = project.run("cleanup", "--all", "--yes")
    assert cleanup.code == 0, cleanup.err
    assert set(project.schedules()) == {other}


def test_cleanup_deletes_only_orphans(project):
    project.write(project.job("a") + project.job("b"))
    project.run("schedule", "--yes")
    project.write(project.job("a"))
    dry = project.run("cleanup", "--dry-run")
    assert "- b" in dry.out and ID + "b" in project.schedules()
    assert project.run("cleanup", "--yes").code == 0
    assert set(project.schedules()) == {ID + "a"}


def test_safety_limit_refuses_then_force_applies(project):
    project.write("".join(project.job(f"j{i}") for i in range(10)))
    project.run("schedule", "--yes")
    project.write("".join(project.job(f"j{i}") for i in range(6)))
    before = project.schedules()
    refused = project.run("schedule", "--yes")
    assert refused.code == 4
    assert "40%" in refused.err and "--force" in refused.err
    assert project.schedules().keys() == before.keys()
    forced = project.run("schedule", "--yes", "--force")
    assert forced.code == 0
    assert len(project.schedules()) == 6


def _renamed(i: int, path: str) -> str:
    return (f"  k{i}:\n    tier: business\n    path: {path}\n"
            f'    schedule: "0 9 * * *"\n    renamed_from: j{i}\n')


@pytest.mark.parametrize("change", ["pause every job", "rename every job, new destinations",
                                    "delete 2, pause 2", "update 2, rename 2"])
def test_every_action_that_stops_or_replaces_a_job_counts_toward_the_safety_limit(project,
                                                                                  change):
    """Issue 25: a pause stops a job as a delete does, a rename replaces it as an update does
    (the old schedule is deleted); each counts toward its share of the safety limit."""
    project.write("".join(project.job(f"j{i}") for i in range(10)))
    assert project.run("schedule", "--yes").code == 0
    job, rest = project.job, [project.job(f"j{i}") for i in range(4, 10)]
    jobs = {
        "pause every job": [job(f"j{i}", extra="enabled: false") for i in range(10)],
        "rename every job, new destinations": [_renamed(i, f"/api/v2/cron/{i}")
                                               for i in range(10)],
        "delete 2, pause 2": [job(f"j{i}", extra="enabled: false") for i in (2, 3)] + rest,
        "update 2, rename 2": [job(f"j{i}", schedule="5 9 * * *") for i in (0, 1)]
        + [_renamed(i, f"/api/cron/j{i}") for i in (2, 3)] + rest,
    }[change]
    project.write("".join(jobs))
    before = project.schedules()
    refused = project.run("schedule", "--yes")
    assert refused.code == 4, (refused.out, refused.err)
    assert "--force" in refused.err and "limit: safety." in refused.err
    assert project.schedules() == before  # nothing applied
    forced = project.run("schedule", "--yes", "--force")
    assert forced.code == 0, forced.err
    assert project.schedules() != before


def test_no_terminal_needs_yes_and_dry_run_writes_nothing(project):
    project.write(project.job("a"))
    refused = project.run("schedule")
    assert refused.code == 2 and "--yes" in refused.err
    assert project.schedules() == {}
    assert project.run("schedule", "--dry-run").code == 0
    assert project.schedules() == {}


def test_diff_exit_code_json_and_markdown(project):
    project.write(project.job("a"))
    assert project.run("diff", "--exit-code").code == 3
    md = project.run("diff", "--markdown")
    assert "| + | `a` |" in md.out and "**Plan: 1 to create" in md.out
    project.run("schedule", "--yes")
    assert project.run("diff", "--exit-code").code == 0
    data = json.loads(project.run("diff", "--json").out)
    assert data["qstash"]["summary"]["unchanged"] == 1


def test_secrets_never_appear_in_any_output(project):
    project.write(project.job("a", extra="headers:\n  X-Api-Key: key-${CRON_SECRET}"))
    outputs = []
    for args in (("-vv", "diff"), ("diff", "--json"), ("diff", "--markdown"),
                 ("-vv", "schedule", "--yes"), ("list", "--json"), ("-vv", "list")):
        result = project.run(*args)
        outputs += [result.out, result.err]
    project.write(project.job("a", extra="headers:\n  X-Api-Key: changed-${CRON_SECRET}"))
    for args in (("-vv", "diff"), ("diff", "--json"), ("-vv", "schedule", "--yes", "--json")):
        result = project.run(*args)
        outputs += [result.out, result.err]
    blob = "\n".join(outputs)
    assert "x-api-key changed" in blob  # the change is shown, by name
    assert project.secret not in blob
    assert project.server.token not in blob


def test_missing_token_is_one_clear_error(project, monkeypatch):
    monkeypatch.delenv("QSTASH_TOKEN")
    project.write(project.job("a"))
    result = project.run("diff")
    assert result.code == 2
    assert "QSTASH_TOKEN is not set" in result.err and "cronctl dev" in result.err
    assert "Traceback" not in result.err


def test_missing_secret_variable_names_variable_job_and_field(project, monkeypatch):
    monkeypatch.delenv("CRON_SECRET")
    project.write(project.job("a"))
    result = project.run("schedule", "--yes")
    assert result.code == 2
    assert "${CRON_SECRET} is not set" in result.err
    assert "headers.Authorization" in result.err


def test_partial_failure_lists_each_failed_job_and_exits_1(tmp_path, monkeypatch, capsys,
                                                           request):
    from cronctl.testing import DevServer

    project_cls = type(request.getfixturevalue("project"))
    with DevServer(memory=True, max_schedules=3) as server:
        project = project_cls(tmp_path, server, monkeypatch, capsys)
        project.write("".join(project.job(f"j{i}") for i in range(5)))
        result = project.run("schedule", "--yes")
        assert result.code == 1
        failed = [line for line in result.err.splitlines() if line.startswith("failed: + ")]
        assert len(failed) == 2 and all("HTTP 412" in line for line in failed)
        assert "2 changes failed; the others were applied" in result.err
        assert len(project.schedules()) == 3
        # Nothing else moved: the next plan is exactly the two that failed.
        assert "Plan: 2 to create, 0 to update, 0 to delete, 3 unchanged." in project.run(
            "diff").out


def test_the_plan_predicts_the_requests_it_costs(project):
    project.write(project.job("a") + project.job("b", extra="enabled: false")
                  + project.job("c"))
    project.run("schedule", "--yes")
    project.write(project.job("a", schedule="1 1 * * *") + project.job("b")
                  + project.job("d", extra="enabled: false"))
    predicted = json.loads(project.run("diff", "--json").out)["qstash"]["summary"]
    project.server.reset_counts()
    assert project.run("schedule", "--yes").code == 0
    # update a, resume b, delete c, create d paused (2): 5 writes, plus the listing
    assert predicted["requests_to_apply"] == 5
    assert project.server.request_count() == 1 + predicted["requests_to_apply"]


def test_terminal_prompt_applies_only_on_yes(project):
    import os
    import pty
    import subprocess
    import sys

    project.write(project.job("a"))

    def answer(text: str) -> subprocess.CompletedProcess:
        leader, follower = pty.openpty()
        try:
            os.write(leader, text.encode())
            return subprocess.run([sys.executable, "-m", "cronctl", "schedule"],
                                  cwd=project.folder, env=dict(os.environ), stdin=follower,
                                  capture_output=True, text=True, timeout=60)
        finally:
            os.close(leader)
            os.close(follower)

    declined = answer("n\n")
    assert declined.returncode == 1 and "Apply these changes? [y/N]" in declined.stderr
    assert "Nothing was changed." in declined.stderr and project.schedules() == {}
    accepted = answer("y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert set(project.schedules()) == {"cronctl.acme.a"}


def test_a_vercel_only_project_needs_no_qstash_token(project, monkeypatch):
    monkeypatch.delenv("QSTASH_TOKEN")
    path = project.write("  beat:\n    tier: infrastructure\n    path: /api/beat\n"
                         '    schedule: "0 6 * * *"\n')
    result = project.run("schedule", "--yes")
    assert result.code == 0, result.err
    assert "QStash skipped" in result.err
    assert '"/api/beat"' in (path.parent / "vercel.json").read_text()
    assert project.run("diff", "--exit-code").code == 0
    # With a business job, the token is required again.
    project.write(project.job("a"))
    assert project.run("diff").code == 2


def test_concurrency_bounds_the_requests_in_flight(tmp_path, monkeypatch, capsys, request):
    from cronctl.testing import DevServer

    project_cls = type(request.getfixturevalue("project"))
    with DevServer(memory=True, latency_ms=20) as server:
        project = project_cls(tmp_path, server, monkeypatch, capsys)
        project.write("".join(project.job(f"j{i}") for i in range(40)))
        server.reset_counts()
        assert project.run("schedule", "--yes", "--concurrency", "4").code == 0
        assert 1 < server.max_in_flight() <= 4
