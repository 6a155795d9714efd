"""`cronctl stats` spends requests in proportion to the events, not to the jobs, and the
project-wide way gives exactly what the per-job way gives (on a real dev-server run with
deliveries, retries, failures and DLQ entries)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from cronctl.config import schedule_id
from cronctl.targets.qstash.client import QStashClient
from cronctl.targets.qstash.deliveries import _estimate, fetch
from cronctl.targets.qstash.stats import compute
from cronctl.testing import DevServer, ReceiverApp
from tests.conftest import Project

pytestmark = pytest.mark.speed


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


@pytest.fixture
def env(tmp_path, monkeypatch, capsys, app):
    with DevServer(memory=True, clock="frozen") as server:
        project = Project(tmp_path, server, monkeypatch, capsys)
        yield project


def write(project: Project, app: ReceiverApp, n: int) -> list[str]:
    names = [f"job-{i}" for i in range(n)]
    text = "".join(project.job(
        name, schedule=f"{(i * 5) % 15}/15 * * * *",
        extra=f"retries: {i % 3}\nretry_delay: \"1000\"") for i, name in enumerate(names))
    path = project.write(text)
    path.write_text(path.read_text().replace("https://app.example.com", app.url))
    return names


def history_runs(env: Project, app: ReceiverApp) -> None:
    """2 h of runs: the first hour delivered, then failures (retried), then a mix."""
    # Someone else's schedule on the same account: its events must not count.
    with httpx.Client(base_url=env.server.url,
                      headers={"Authorization": f"Bearer {env.server.token}"}) as http:
        http.post(f"/v2/schedules/{app.url}/elsewhere",
                  headers={"Upstash-Cron": "*/5 * * * *", "Upstash-Retries": "0"}
                  ).raise_for_status()
    env.server.advance(3600)
    app.respond(500)
    env.server.advance(1800)
    app.respond([200, 500, 503, 200])
    env.server.advance(1805)


def test_project_wide_history_equals_per_job_history(env, app):
    names = write(env, app, 6)
    assert env.run("schedule", "--yes").code == 0
    history_runs(env, app)
    ids = [schedule_id("acme", name) for name in names]
    assert set(ids) < {s["scheduleId"] for s in env.server.schedules()}
    from_ms = int((time.time() - 86400) * 1000)

    async def both():
        async with QStashClient(env.server.url, env.server.token) as client:
            a = await fetch(ids, from_ms, 86400, client=client, strategy="per-schedule")
            b = await fetch(ids, from_ms, 86400, client=client, strategy="project-wide")
            c = await fetch(ids, from_ms, 86400, client=client, strategy="project-wide",
                            slices=3)
        return a, b, c

    per_job, project_wide, sliced = asyncio.run(both())
    assert sliced.events == project_wide.events  # the same events, in the same order
    assert sliced.dlq == project_wide.dlq and sliced.requests == 4
    assert per_job.requests == len(ids) + 1  # one events query each, the DLQ paged once
    assert project_wide.requests == 2
    left = [compute(s, s, per_job.events[s], per_job.dlq.get(s, 0)).to_json() for s in ids]
    right = [compute(s, s, project_wide.events[s], project_wide.dlq.get(s, 0)).to_json()
             for s in ids]
    assert left == right
    # The run really has what the comparison is about.
    assert sum(r["failed"] for r in left) > 0 and sum(r["retries"] for r in left) > 0
    assert sum(r["dlq"] for r in left) > 0 and sum(r["delivered"] for r in left) > 0
    assert len({json.dumps(r, sort_keys=True) for r in left}) == len(ids)


def test_stats_requests_follow_events_not_jobs(env, app):
    write(env, app, 40)
    assert env.run("schedule", "--yes").code == 0
    env.server.advance(3600)  # 160 runs, ~480 events: one page
    env.server.reset_counts()
    result = env.run("-v", "stats", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["summary"]["runs"] == 40 * 4
    # One schedules listing, one events page, one DLQ page (the old way: 40 + 1).
    assert env.server.request_count() == 3 == data["requests"]
    assert env.server.route_counts() == {"GET /v2/schedules": 1, "GET /v2/events": 1,
                                         "GET /v2/dlq": 1}
    assert "3 QStash requests (project-wide)" in result.err

    env.server.reset_counts()
    one = env.run("-v", "stats", "--job", "job-3", "--json")
    assert one.code == 0, one.err
    assert json.loads(one.out)["jobs"][0]["runs"] == 4
    # A single job: its own events and DLQ queries, no listing.
    assert env.server.route_counts() == {"GET /v2/events": 1, "GET /v2/dlq": 1}


def test_estimate_of_events_per_window():
    day = 86400
    assert _estimate("0 * * * *", day) == 24 * 3
    assert _estimate("CRON_TZ=Europe/Lisbon */15 9-17 * * 1-5", day) == \
        pytest.approx(4 * 9 * 5 / 7 * 3)
    assert _estimate("0 0 1 1 *", day) == pytest.approx(1 / 31 / 12 * 3)
    assert _estimate("@weird", 3600) == 60 * 3  # unknown: as if every minute
    assert _estimate("\u0663 * * * *", 3600) == 60 * 3  # not a number to QStash either
    assert _estimate("@daily", day) == 3
    assert _estimate("@every 2h", day) == 12 * 3


def test_logs_of_many_jobs_cost_what_stats_costs(env, app):
    """`logs` of every job (and the dashboard, which reads runs the same way) asks QStash as
    `stats` does, and finds exactly the runs the per-job queries find."""
    names = write(env, app, 40)
    assert env.run("schedule", "--yes").code == 0
    env.server.advance(3600)
    env.server.reset_counts()
    result = env.run("logs", "--limit", "1000", "--json")
    assert result.code == 0, result.err
    runs = json.loads(result.out)["runs"]
    assert len(runs) == 40 * 4
    # One listing, one events page, one DLQ page; it was one events query per job (40).
    assert env.server.route_counts() == {"GET /v2/schedules": 1, "GET /v2/events": 1,
                                         "GET /v2/dlq": 1}
    per_job = []
    for name in names[:5]:
        one = json.loads(env.run("logs", name, "--limit", "1000", "--json").out)["runs"]
        assert len(one) == 4
        per_job += one
    chosen = [r for r in runs if r["job"] in names[:5]]
    assert sorted(chosen, key=lambda r: r["run_id"]) == sorted(per_job,
                                                               key=lambda r: r["run_id"])
