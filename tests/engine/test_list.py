"""`cronctl list`: the file and QStash side by side, with a status per job."""

from __future__ import annotations

import json


def test_statuses(project):
    from qstash import QStash

    project.write(project.job("same") + project.job("drift") + project.job("orphan"))
    project.run("schedule", "--yes")
    QStash(project.server.token, base_url=project.server.url).schedule.create(
        destination="https://other.example.com/x", cron="0 1 * * *", schedule_id="theirs")
    infra = ("  beat:\n    tier: infrastructure\n    path: /api/beat\n"
             '    schedule: "0 6 * * *"\n')
    project.write(project.job("same") + project.job("drift", schedule="1 9 * * *")
                  + project.job("new") + infra)
    result = project.run("list", "--json")
    assert result.code == 0, result.err
    status = {r["name"]: r["status"] for r in json.loads(result.out)["jobs"]}
    assert status == {"same": "in sync", "drift": "drifted", "new": "missing",
                      "orphan": "orphaned", "theirs": "unmanaged", "beat": "missing"}
    project.run("generate")
    status = {r["name"]: r["status"] for r in json.loads(project.run("list", "--json").out)
              ["jobs"]}
    assert status["beat"] == "in sync"
    table = project.run("list")
    assert "drifted (cron)" in table.out
