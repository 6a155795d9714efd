"""The CI step applies what was reviewed: `diff --out` / `schedule --plan`, `--job`, and
`renamed_from` (a rename keeps its history). Real CLI against a real `cronctl dev`."""

from __future__ import annotations

import json

import httpx
import pytest

ID = "cronctl.acme."
INFRA = '  beat:\n    tier: infrastructure\n    path: /api/beat\n    schedule: "0 6 * * *"\n'


def _upsert_by_hand(project, name: str, cron: str) -> None:
    """Someone changes QStash behind cronctl's back (a console edit)."""
    httpx.post(f"{project.server.url}/v2/schedules/https://app.example.com/api/cron/{name}",
               headers={"Authorization": f"Bearer {project.server.token}",
                        "Upstash-Cron": cron, "Upstash-Schedule-Id": ID + name},
               timeout=10).raise_for_status()


def test_a_saved_plan_applies_exactly_what_was_reviewed(project):
    project.write(project.job("a") + project.job("b"))
    assert project.run("schedule", "--yes").code == 0
    project.write(project.job("a", schedule="5 9 * * *") + project.job("c") + INFRA)
    made = project.run("diff", "--out", "plan.json")
    assert made.code == 0, made.err
    assert "schedule --plan plan.json" in made.err
    saved = json.loads((project.folder / "plan.json").read_text())
    assert saved["plan"]["qstash"]["summary"]["create"] == 1
    assert project.secret not in (project.folder / "plan.json").read_text()
    project.server.reset_counts()
    applied = project.run("schedule", "--plan", "plan.json", "--json")
    assert applied.code == 0, applied.err
    done = {(a["target"], a["action"], a["job"]) for a in json.loads(applied.out)["applied"]}
    assert done == {("qstash", "update", "a"), ("qstash", "create", "c"),
                    ("qstash", "delete", "b"), ("vercel", "create", "beat")}
    assert set(project.schedules()) == {ID + "a", ID + "c"}
    assert project.server.request_count() == 1 + 3
    # Applied plans are spent: the live state moved on, so the same file is now refused.
    again = project.run("schedule", "--plan", "plan.json")
    assert again.code == 1 and "live state changed since the plan" in again.err


def test_a_saved_plan_is_refused_after_the_file_changed(project):
    project.write(project.job("a"))
    assert project.run("diff", "--out", "plan.json").code == 0
    project.write(project.job("a") + project.job("sneaked-in"))
    result = project.run("schedule", "--plan", "plan.json")
    assert result.code == 1
    assert "schedules.yaml changed since the plan plan.json was made" in result.err
    assert "nothing was applied" in result.err and project.schedules() == {}


def test_a_saved_plan_is_refused_after_the_live_state_changed(project):
    project.write(project.job("a") + project.job("b"))
    assert project.run("schedule", "--yes").code == 0
    project.write(project.job("a", schedule="5 9 * * *") + project.job("b"))
    assert project.run("diff", "--out", "plan.json").code == 0
    _upsert_by_hand(project, "b", "0 12 * * *")
    result = project.run("schedule", "--plan", "plan.json")
    assert result.code == 1, result.err
    assert "QStash: the live state changed since the plan" in result.err
    assert project.schedules()[ID + "a"]["cron"] == "0 9 * * *"  # nothing applied


def test_a_saved_plan_is_refused_when_the_environment_changes_the_desired_state(
        project, monkeypatch):
    project.write(project.job("a"))
    assert project.run("diff", "--out", "plan.json").code == 0
    monkeypatch.setenv("CRON_SECRET", "another-secret-value")
    result = project.run("schedule", "--plan", "plan.json")
    assert result.code == 1 and "the desired state changed" in result.err
    assert "another-secret-value" not in result.err


def test_a_plan_file_that_is_not_one(project):
    project.write(project.job("a"))
    (project.folder / "plan.json").write_text("{}")
    bad = project.run("schedule", "--plan", "plan.json")
    assert bad.code == 2 and "not a cronctl plan" in bad.err
    missing = project.run("schedule", "--plan", "nope.json")
    assert missing.code == 2 and "cronctl diff --out" in missing.err
    assert project.run("diff", "--out", "plan.json").code == 0
    data = json.loads((project.folder / "plan.json").read_text())
    (project.folder / "old.json").write_text(json.dumps({**data, "cronctl": "0.0.1"}))
    old = project.run("schedule", "--plan", "old.json")
    assert old.code == 1 and "was made by cronctl 0.0.1" in old.err
    mixed = project.run("schedule", "--plan", "plan.json", "--job", "a")
    assert mixed.code == 2 and "the options it was made with" in mixed.err
    assert project.schedules() == {}


def test_job_limits_diff_and_schedule(project):
    project.write(project.job("a") + project.job("b") + project.job("old"))
    assert project.run("schedule", "--yes").code == 0
    project.write(project.job("a", schedule="1 1 * * *") + project.job("b", schedule="2 2 * * *")
                  + project.job("new"))
    diff = json.loads(project.run("diff", "--job", "a", "--job", "new", "--json").out)
    assert {(c["action"], c["job"]) for c in diff["qstash"]["changes"]} == {
        ("update", "a"), ("create", "new")}
    result = project.run("schedule", "--yes", "--job", "a", "--job", "old")
    assert result.code == 0, result.err
    live = project.schedules()
    assert live[ID + "a"]["cron"] == "1 1 * * *" and live[ID + "b"]["cron"] == "0 9 * * *"
    assert ID + "old" not in live and ID + "new" not in live  # an orphan can be named too
    # A saved plan keeps its --job.
    assert project.run("diff", "--job", "new", "--out", "plan.json").code == 0
    assert project.run("schedule", "--plan", "plan.json").code == 0
    assert ID + "new" in project.schedules()
    assert project.schedules()[ID + "b"]["cron"] == "0 9 * * *"
    # A mistyped --job gets a did-you-mean.
    typo = project.run("diff", "--job", "nwe")
    assert typo.code == 2 and "did you mean 'new'?" in typo.err


def test_job_and_a_file_target_written_whole(project):
    project.write(INFRA + project.job("a"))
    only_a = project.run("schedule", "--yes", "--job", "a")
    assert only_a.code == 0, only_a.err
    assert not (project.folder / "vercel.json").exists()  # beat was not selected
    assert project.run("schedule", "--yes", "--job", "beat").code == 0
    assert (project.folder / "vercel.json").exists()


def test_renamed_from_shows_a_rename_and_keeps_the_history(project):
    project.write(project.job("send-reminders"))
    assert project.run("schedule", "--yes").code == 0
    project.server.advance(24 * 3600)  # the old name delivers (to an unreachable app) a while
    old_runs = json.loads(project.run("stats", "--job", "send-reminders", "--json",
                                      "--since", "7d").out)["summary"]["runs"]
    project.write(project.job("reminders", extra="renamed_from: send-reminders"))
    diff = project.run("diff")
    assert "→ reminders" in diff.out and "renamed from send-reminders" in diff.out
    assert "1 to rename" in diff.out and "to delete" in diff.out
    data = json.loads(project.run("diff", "--json").out)["qstash"]
    assert [(c["action"], c["job"], c.get("renamed_from")) for c in data["changes"]] == [
        ("rename", "reminders", "send-reminders")]
    assert data["summary"]["delete"] == 0 and data["summary"]["create"] == 0
    result = project.run("schedule", "--yes")
    assert result.code == 0, result.err
    assert set(project.schedules()) == {ID + "reminders"}
    stats = json.loads(project.run("stats", "--job", "reminders", "--json", "--since", "7d").out)
    assert old_runs >= 1 and stats["summary"]["runs"] == old_runs
    logs = project.run("logs", "reminders", "--json", "--since", "7d", "--limit", "1000")
    assert logs.code == 0, logs.err
    rows = json.loads(logs.out)["runs"]
    assert len(rows) == old_runs and {r["job"] for r in rows} == {"reminders"}
    assert "No changes" in project.run("diff").out


def test_renamed_from_on_a_file_target_replaces_the_document(project):
    head = "kubernetes:\n  image: busybox:1.36\n"
    job = '  {name}:\n    target: kubernetes\n    schedule: "*/30 * * * *"\n{extra}'
    project.write(job.format(name="worker", extra=""), header=head)
    assert project.run("schedule", "--yes").code == 0
    project.write(job.format(name="crawler", extra="    renamed_from: worker\n"), header=head)
    data = json.loads(project.run("diff", "--json").out)["kubernetes"]
    assert [(c["action"], c["job"], c.get("renamed_from")) for c in data["changes"]] == [
        ("rename", "crawler", "worker")]
    assert project.run("schedule", "--yes").code == 0
    text = (project.folder / "k8s" / "cronjobs.yaml").read_text()
    assert "name: crawler" in text and "name: worker" not in text
    assert "No changes" in project.run("diff").out or "up to date" in project.run("diff").out


def test_renamed_from_a_job_still_in_the_file_is_an_error(cli, write_config):
    write_config("version: 1\nproject: acme\nbase_url: https://a.example\njobs:\n"
                 '  a:\n    tier: business\n    path: /a\n    schedule: "0 9 * * *"\n'
                 '  b:\n    tier: business\n    path: /b\n    schedule: "0 9 * * *"\n'
                 "    renamed_from: a\n")
    result = cli("validate")
    assert result.code == 2
    assert "schedules.yaml:13:" in result.err and "'a' is still a job in this file" in result.err


def _tamper(saved: dict, how: str) -> str:
    """A plan of the right format and version, but not one cronctl wrote."""
    if how == "truncated":
        return json.dumps(saved, indent=2)[:400]
    if how == "nested very deep":
        return json.dumps({**saved, "options": {"jobs": []}})[:-1] + ', "x": ' + "[" * 100_000 \
            + "]" * 100_000 + "}"
    path, _, value = how.partition(" = ")
    keys = path.split(".")
    where = saved
    for key in keys[:-1]:
        where = where[key]
    where[keys[-1]] = json.loads(value)
    return json.dumps(saved)


@pytest.mark.parametrize("how", [
    "truncated", "nested very deep", "options = \"all\"", "options.jobs = 5",
    "options.jobs = [1, {\"a\": 2}]", "options.prune = \"no\"", "config = []", "config = {}",
    "cronctl = null", "project = [\"acme\"]", "targets = [\"qstash\"]",
    "targets.qstash = \"x\"", "targets.qstash.changes = 5",
    "targets.qstash.changes = [[\"create\"]]", "targets.qstash.desired = {\"a\": 1}",
])
def test_a_tampered_plan_is_refused_with_one_clear_message(project, how):
    """Issue 25: right format and version, wrong content: exit 2, one message naming the file,
    never "internal error", and nothing applied."""
    project.write(project.job("a") + project.job("b"))
    assert project.run("diff", "--out", "plan.json").code == 0
    plan = project.folder / "plan.json"
    plan.write_text(_tamper(json.loads(plan.read_text()), how))
    project.server.reset_counts()
    result = project.run("schedule", "--plan", "plan.json")
    assert result.code == 2, (how, result)
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    assert result.err.count("error:") == 1 and "plan.json" in result.err, result.err
    assert "cronctl diff --out" in result.err  # what to do next
    assert project.schedules() == {} and project.server.request_count() == 0
