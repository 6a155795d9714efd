"""The Vercel side against `cronctl dev`'s Vercel endpoints over real HTTP: what is deployed
(list statuses), its health (probe) and running a cron there (trigger)."""

from __future__ import annotations

import json

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.dev.vercel_api import PROJECT_ID, vercel_env
from cronctl.testing import DevServer, ReceiverApp

SECRET = "s3cret-cron-value-do-not-print"


def config(base: str) -> str:
    return f"""\
version: 1
project: acme
base_url: {base}
jobs:
  beat:
    tier: infrastructure
    path: /api/beat
    schedule: "0 6 * * *"
  sweep:
    tier: infrastructure
    path: /api/sweep
    schedule: "30 2 * * *"
  warm:
    tier: infrastructure
    path: /api/warm
    schedule: "*/10 * * * *"
  old:
    tier: infrastructure
    path: /api/old
    schedule: "0 1 * * *"
    enabled: false
"""


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


@pytest.fixture
def srv(cli, write_config, project_dir, app):
    """vercel.json generated (what a production deploy of the folder ships), then the server."""
    write_config(config(app.url))
    assert cli("generate").code == 0
    with DevServer(config_path=project_dir / "schedules.yaml", app_url=app.url) as server:
        yield server


def deploy(srv: DevServer, **state) -> dict:
    r = httpx.post(srv.url + "/_cronctl/vercel", json=state, trust_env=False,
                   headers={"Authorization": f"Bearer {TOKEN}"})
    r.raise_for_status()
    return r.json()


def env(srv: DevServer, **more) -> dict:
    return {**vercel_env(srv.url), "CRON_SECRET": SECRET, **more}


def statuses(cli, srv, **more) -> dict[str, str]:
    code, out, err = cli("list", "--json", env=env(srv, **more))
    assert code == 0, err
    return {r["name"]: r["status"] for r in json.loads(out)["jobs"]}


def test_every_list_status(cli, write_config, srv, app):
    assert statuses(cli, srv) == {"beat": "in sync", "sweep": "in sync", "warm": "in sync",
                                  "old": "disabled"}
    # Production runs an older sweep schedule, lacks warm, still has old, and a builder
    # merged its own cron in.
    deploy(srv, definitions=[
        {"path": "/api/beat", "schedule": "0 6 * * *"},
        {"path": "/api/sweep", "schedule": "0 2 * * *"},
        {"path": "/api/old", "schedule": "0 1 * * *"},
        {"path": "/_nitro/tasks", "schedule": "0 * * * *", "source": "api"}])
    write_config(config(app.url) + '  fresh:\n    tier: infrastructure\n    path: /api/fresh\n'
                 '    schedule: "0 4 * * *"\n')
    code, out, err = cli("list", "--json", env=env(srv))
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)["jobs"]}
    assert {n: r["status"] for n, r in rows.items()} == {
        "beat": "in sync", "sweep": "schedule differs", "warm": "not deployed",
        "old": "drifted", "fresh": "missing", "/_nitro/tasks": "not in the file"}
    assert rows["sweep"]["deployed_schedule"] == "0 2 * * *"
    assert rows["warm"]["in_vercel_json"] is True and rows["warm"]["in_file"] is True
    assert rows["warm"]["deployed"] is False
    assert rows["/_nitro/tasks"]["source"] == "api" and rows["/_nitro/tasks"]["in_file"] is False
    table = cli("list", env=env(srv)).out
    assert "schedule differs (deployed: 0 2 * * *)" in table
    header = next(line for line in table.splitlines() if "vercel.json" in line)
    words = [w for w in header.replace("┃", " ").replace("│", " ").split()]
    assert words[-4:] == ["file", "vercel.json", "deployed", "status"]
    warm = next(line for line in table.splitlines() if " warm " in line)
    assert " yes " in warm and " no " in warm
    assert "not in the file (source: api)" in table
    deploy(srv, disabled=True)
    got = statuses(cli, srv)
    assert got["beat"] == got["warm"] == "crons disabled"


def test_not_deployed_at_all(cli, srv):
    deploy(srv, deployed=False)
    assert statuses(cli, srv) == {"beat": "not deployed", "sweep": "not deployed",
                                  "warm": "not deployed", "old": "disabled"}


def test_without_a_token_the_vercel_side_is_the_file(cli, srv):
    deploy(srv, deployed=False)
    code, out, err = cli("list", "--json", env={"VERCEL_API_URL": srv.url})
    assert code == 0, err
    assert "VERCEL_TOKEN is not set" in err
    rows = json.loads(out)["jobs"]
    assert {r["name"]: r["status"] for r in rows}["beat"] == "in sync"
    assert all(r["deployed"] is None for r in rows)


def probe(cli, srv, **more) -> tuple[int, dict[str, list]]:
    code, out, err = cli("probe", "--json", env=env(srv, **more))
    data = json.loads(out)
    found: dict[str, list] = {}
    for c in data["checks"]:
        if c["name"].startswith("Vercel"):
            found.setdefault(c["status"], []).append(c["detail"])
    return code, found


def test_probe_outcomes(cli, srv):
    code, found = probe(cli, srv)
    assert code == 0 and set(found) == {"ok"}
    deploy(srv, definitions=[{"path": p, "schedule": s} for p, s in (
        ("/api/beat", "0 6 * * *"), ("/api/sweep", "30 2 * * *"), ("/api/warm", "*/10 * * * *"),
        ("/_nitro/tasks", "0 * * * *"), ("/api/old", "0 1 * * *"))])
    code, found = probe(cli, srv)
    assert code == 0, found  # a deployed-only cron, and a disabled job still deployed, warn
    assert found["warn"] == ["deployed but not in the file: /_nitro/tasks (0 * * * *)",
                             "enabled: false but still deployed: old"]
    deploy(srv, reset=True, definitions=[{"path": "/api/beat", "schedule": "0 6 * * *"}])
    code, found = probe(cli, srv)
    assert code == 1
    assert found["fail"] == ["not deployed: sweep, warm"]
    deploy(srv, reset=True, disabled=True)
    code, found = probe(cli, srv)
    assert code == 1
    assert any("cron jobs are disabled for the project" in d for d in found["fail"])


def test_probe_names_a_refused_token_and_an_unknown_project(cli, srv):
    code, found = probe(cli, srv, VERCEL_TOKEN="not-the-token")
    assert code == 1 and "refused VERCEL_TOKEN (HTTP 403)" in found["fail"][0]
    code, found = probe(cli, srv, VERCEL_PROJECT_ID="prj_other")
    assert code == 1 and "'prj_other' not found (from VERCEL_PROJECT_ID)" in found["fail"][0]


def test_trigger_runs_through_vercels_run_endpoint(cli, srv, app):
    code, out, err = cli("trigger", "sweep", "--yes", "--json", env=env(srv))
    assert code == 0, err
    facts = json.loads(out)
    assert facts["via"] == "vercel" and facts["path"] == "/api/sweep"
    assert facts["invocation_at"].startswith(srv.now().isoformat()[:16])
    runs = deploy(srv)["runs"]
    assert [(r["path"], r["schedule"], r["status"]) for r in runs] == [
        ("/api/sweep", "30 2 * * *", 200)]
    # Vercel called the app, with its own headers.
    [req] = app.requests
    assert (req.method, req.path) == ("GET", "/api/sweep")
    assert req.headers["user-agent"] == "vercel-cron/1.0"
    assert req.headers["x-vercel-cron-schedule"] == "30 2 * * *"
    assert req.headers["authorization"] == f"Bearer {SECRET}"
    assert TOKEN not in out + err


def test_trigger_refuses_what_vercel_would_not_run(cli, srv, app):
    deploy(srv, definitions=[{"path": "/api/beat", "schedule": "0 5 * * *"}])
    code, out, err = cli("trigger", "beat", "--yes", env=env(srv))  # what production runs
    assert code == 0 and "production runs it on '0 5 * * *', the file says '0 6 * * *'" in out
    assert [r.headers["x-vercel-cron-schedule"] for r in app.requests] == ["0 5 * * *"]
    app.requests.clear()
    code, out, err = cli("trigger", "warm", "--yes", env=env(srv))
    assert code == 1 and "'warm' (/api/warm) is not deployed to production" in err
    code, out, err = cli("trigger", "warm", env=env(srv))  # said before asking to confirm
    assert code == 1 and "is not deployed to production" in err and "--yes" not in err
    deploy(srv, reset=True, disabled=True)
    code, out, err = cli("trigger", "beat", "--yes", env=env(srv))
    assert code == 1 and "cron jobs are disabled" in err
    assert app.requests == [] and len(deploy(srv)["runs"]) == 1
    # Without a token: the app's URL directly, as before.
    code, out, err = cli("trigger", "beat", "--yes", env={"CRON_SECRET": SECRET})
    assert code == 0, err
    assert [r.path for r in app.requests] == ["/api/beat"]


def test_project_from_vercel_link(cli, srv, project_dir):
    link = project_dir / ".vercel"
    link.mkdir()
    (link / "project.json").write_text(json.dumps({"projectId": PROJECT_ID,
                                                   "orgId": "team_abc"}))
    got = statuses(cli, srv, VERCEL_PROJECT_ID=None)
    assert got["beat"] == "in sync"
    # A personal account's orgId is no team: no teamId= then.
    (link / "project.json").write_text(json.dumps({"projectId": PROJECT_ID, "orgId": "u1"}))
    statuses(cli, srv, VERCEL_PROJECT_ID=None)
    # VERCEL_ORG_ID goes with VERCEL_PROJECT_ID.
    statuses(cli, srv, VERCEL_ORG_ID="team_env")
    assert deploy(srv)["teamIds"] == ["team_abc", None, "team_env"]


def test_vercel_token_is_never_printed(cli, srv):
    for args in (("list", "--json", "-v"), ("probe", "-v"), ("list",)):
        code, out, err = cli(*args, env=env(srv))
        assert TOKEN not in out + err


GET_PROJECT = "GET /v9/projects/{project}"
RUN = "POST /v1/projects/{project}/crons/run"


def test_requests_per_command_and_diff_exit_code_ignores_the_deployment(cli, srv):
    deploy(srv, deployed=False)  # nothing in production: list and probe say so...
    assert cli("diff", "--exit-code", env=env(srv)).code == 0  # ...the file changes nothing
    assert deploy(srv)["requests"] == {}  # diff never asks Vercel
    cli("list", env=env(srv))
    assert deploy(srv)["requests"] == {GET_PROJECT: 1}
    cli("probe", env=env(srv))
    assert deploy(srv)["requests"] == {GET_PROJECT: 2}
    deploy(srv, reset=True)
    assert cli("trigger", "beat", "--yes", env=env(srv)).code == 0
    assert deploy(srv)["requests"] == {GET_PROJECT: 3, RUN: 1}


def test_a_hostile_api_is_one_clear_error(cli, srv):
    with ReceiverApp(status=500) as bad:
        for args in (("list",), ("trigger", "beat", "--yes")):
            code, out, err = cli(*args, env=env(srv, VERCEL_API_URL=bad.url))
            assert code == 1, (args, err)
            assert "HTTP 500" in err and "Traceback" not in err
        bad.respond(200)  # "status 200" as text/plain
        code, out, err = cli("list", env=env(srv, VERCEL_API_URL=bad.url))
        assert code == 1 and "HTTP 200 but not JSON" in err
        assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in bad.requests)
        assert TOKEN not in out + err


def test_two_jobs_on_one_path_keep_their_own_deployed_cron(cli, write_config, srv, app):
    two = ('  early:\n    tier: infrastructure\n    path: /api/shared\n    schedule: "0 1 * * *"\n'
           '  late:\n    tier: infrastructure\n    path: /api/shared\n    schedule: "0 2 * * *"\n')
    write_config(config(app.url) + two)
    assert cli("generate").code == 0
    deploy(srv, definitions=[{"path": "/api/shared", "schedule": "0 2 * * *"},
                             {"path": "/api/shared", "schedule": "0 3 * * *"}])
    got = statuses(cli, srv)
    assert (got["early"], got["late"]) == ("schedule differs", "in sync")


def test_a_token_without_a_project_warns_in_probe(cli, srv):
    code, found = probe(cli, srv, VERCEL_PROJECT_ID=None)
    assert code == 0
    assert found == {"warn": ["no Vercel project: set vercel.project in schedules.yaml, "
                              "VERCEL_PROJECT_ID, or run 'vercel link'"]}
    code, out, err = cli("list", env=env(srv, VERCEL_PROJECT_ID=None))
    assert code == 0 and "note: no Vercel project" in err


def test_bounded_answers_and_unsendable_settings(cli, srv):
    code, out, err = cli("list", env=env(srv, CRONCTL_MAX_RESPONSE="10"))
    assert code == 1 and "larger than 10 bytes" in err
    code, out, err = cli("list", env=env(srv, VERCEL_TOKEN="two words"))
    assert code == 2 and "VERCEL_TOKEN holds a character" in err and "two words" not in err
    url = srv.url.replace("http://", "http://user:pw-secret@")
    code, out, err = cli("list", env=env(srv, VERCEL_API_URL=url))
    assert code == 2 and "must not hold credentials" in err and "pw-secret" not in out + err


def test_plain_http_to_a_remote_api_warns(monkeypatch):
    """Through the command's callback (a target never prints)."""
    from cronctl.targets.vercel.api import api_url

    told: list[str] = []
    monkeypatch.setenv("VERCEL_API_URL", "http://api.example.com/")
    assert api_url(told.append) == "http://api.example.com"
    assert len(told) == 1 and "VERCEL_TOKEN would travel unencrypted" in told[0]
    monkeypatch.setenv("VERCEL_API_URL", "http://127.0.0.1:8080")
    assert api_url(told.append) == "http://127.0.0.1:8080"
    assert len(told) == 1


def test_a_failed_run_now_is_a_failure_and_reaches_logs_under_its_job(cli, srv, app):
    """Issue 30, 10: Vercel's run endpoint answers at once; the run's outcome is the app's."""
    app.respond(500)
    code, out, err = cli("trigger", "sweep", "--yes", "--wait", "--json", env=env(srv))
    assert code == 1, (out, err)
    assert json.loads(out)["run"]["state"] == "failed"
    assert json.loads(out)["run"]["status"] == 500
    code, out, err = cli("logs", "sweep", "--json", env=env(srv))
    assert code == 0, err
    runs = json.loads(out)["runs"]
    assert [(r["job"], r["state"], r["started_by"], r["status"]) for r in runs] == [
        ("sweep", "failed", "manual", 500)]
    app.respond(200)
    code, out, err = cli("trigger", "sweep", "--yes", "--wait", "--json", env=env(srv))
    assert code == 0 and json.loads(out)["run"]["state"] == "delivered", (out, err)
