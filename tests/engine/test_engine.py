"""The one engine behind diff, schedule and cleanup: every target planned, one JSON shape keyed
by target, safety per target (cleanup included), one confirmation, request counts as before."""

from __future__ import annotations

import json

ID = "cronctl.acme."
KUBE_HEAD = "kubernetes:\n  image: busybox:1.36\n"


def kube_job(name: str) -> str:
    return f'  {name}:\n    target: kubernetes\n    schedule: "*/30 * * * *"\n'


INFRA = '  beat:\n    tier: infrastructure\n    path: /api/beat\n    schedule: "0 6 * * *"\n'


def test_three_targets_in_one_sync_then_one_request(project):
    project.write(INFRA + project.job("a") + kube_job("worker"), header=KUBE_HEAD)
    result = project.run("schedule", "--yes", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"vercel", "qstash", "kubernetes"} <= set(data)
    assert {(a["target"], a["action"], a["job"]) for a in data["applied"]} == {
        ("vercel", "create", "beat"), ("qstash", "create", "a"),
        ("kubernetes", "create", "worker")}
    assert data["requests"] == 2  # the listing and one upsert; the files cost no request
    assert (project.folder / "vercel.json").exists()
    assert (project.folder / "k8s" / "cronjobs.yaml").exists()
    assert set(project.schedules()) == {ID + "a"}
    project.server.reset_counts()
    again = project.run("schedule", "--yes")
    assert again.code == 0 and again.out.count("No changes") == 1  # QStash's block
    assert "vercel.json: up to date" in again.out and "cronjobs.yaml: up to date" in again.out
    assert project.server.request_count() == 1


def test_one_json_shape_for_diff_schedule_and_cleanup(project):
    project.write(project.job("a") + project.job("b"))
    project.run("schedule", "--yes")
    project.write(project.job("a"))
    shapes = {}
    for args in (("diff", "--json"), ("schedule", "--dry-run", "--json"),
                 ("cleanup", "--dry-run", "--json")):
        data = json.loads(project.run(*args).out)
        assert data["command"] == args[0] and data["project"] == "acme"
        block = data["qstash"]
        assert block["target"] == "qstash"
        assert [(c["action"], c["job"]) for c in block["changes"]] == [("delete", "b")]
        shapes[args[0]] = set(block)
    assert shapes["diff"] == shapes["schedule"] == shapes["cleanup"]
    done = json.loads(project.run("cleanup", "--yes", "--json").out)
    assert done["applied"] == [{"target": "qstash", "action": "delete", "job": "b"}]
    assert done["failed"] == [] and done["requests"] == 2


def test_cleanup_obeys_the_safety_limit(project):
    project.write("".join(project.job(f"j{i}") for i in range(10)))
    assert project.run("schedule", "--yes").code == 0
    refused = project.run("cleanup", "--all", "--yes")
    assert refused.code == 4
    assert "deletes 10 of 10 managed schedules" in refused.err and "--force" in refused.err
    assert len(project.schedules()) == 10
    forced = project.run("cleanup", "--all", "--yes", "--force")
    assert forced.code == 0, forced.err
    assert project.schedules() == {}


def test_thresholds_are_read_from_the_file(project):
    project.write("".join(project.job(f"j{i}") for i in range(10)))
    assert project.run("schedule", "--yes").code == 0
    tight = "safety:\n  update_threshold: 0.1\n"
    project.write("".join(project.job(f"j{i}", schedule="5 9 * * *" if i < 2 else "0 9 * * *")
                          for i in range(10)), header=tight)
    refused = project.run("schedule", "--yes")
    assert refused.code == 4 and "updates 2 of 10" in refused.err and "10% update" in refused.err
    project.write("".join(project.job(f"j{i}", schedule="5 9 * * *" if i < 2 else "0 9 * * *")
                          for i in range(10)))
    assert project.run("schedule", "--yes").code == 0  # 20% is under the default 30%
