"""The runner target through the real CLI: diff/schedule against the job set the runner
loaded, list, logs, stats, trigger --wait, pause/resume and probe; and every new key's bad
value reported with file:line, a hint and exit 2."""

from __future__ import annotations

import json

import pytest

from cronctl.targets.runner.ledger import Ledger

FILE = """\
version: 1
project: demo
base_url: {url}
jobs:
  ping:
    target: runner
    path: /api/ping
    schedule: "*/5 * * * *"
  nightly:
    target: runner
    command: [echo, nightly]
    schedule: "0 3 * * *"
    timezone: Europe/Lisbon
    enabled: false
"""
SECRET = {"CRON_SECRET": "runner-target-cron-secret"}  # a trigger refuses to go without one


@pytest.fixture
def project(write_config, app):
    return write_config(FILE.format(url=app.url))


def test_diff_and_schedule_against_what_the_runner_loaded(project, cli):
    code, out, err = cli("diff", "--json")
    assert code == 0, err
    plan = json.loads(out)["runner"]
    assert sorted(c["job"] for c in plan["changes"]) == ["nightly", "ping"]
    code, out, err = cli("schedule", "--yes")
    assert code == 0, err
    db = Ledger(str(project.parent / ".cronctl/runner.sqlite3"))
    assert sorted(db.loaded()) == ["nightly", "ping"]
    assert db.states()["nightly"].paused  # enabled: false
    code, out, _ = cli("diff", "--json", "--exit-code")
    assert code == 0 and json.loads(out)["runner"]["changes"] == []
    project.write_text(project.read_text().replace('"*/5 * * * *"', '"*/10 * * * *"'))
    code, out, _ = cli("diff", "--exit-code")
    assert code == 3 and "schedule" in out and "*/10 * * * *" in out


def test_trigger_wait_logs_stats_pause_resume_probe_and_list(project, cli, app):
    code, out, err = cli("trigger", "ping", "--yes", "--wait", env=SECRET)
    assert code == 0, err
    assert "ping: delivered, 1 attempt, HTTP 200" in out
    assert app.requests[0].headers["x-cronctl-run-id"].startswith("ping@")
    code, out, err = cli("logs", "ping", "--json")
    assert code == 0, err
    (run,) = json.loads(out)["runs"]
    assert (run["started_by"], run["state"], run["status"]) == ("manual", "delivered", 200)
    db = Ledger(str(project.parent / ".cronctl/runner.sqlite3"))
    assert db.runs(["ping"])[0].user_name
    code, out, err = cli("stats", "--job", "ping", "--json")
    assert code == 0, err
    assert json.loads(out)["jobs"][0]["delivered"] == 1
    code, out, err = cli("stats", "--json")  # no --job: the runner's, not QStash's
    assert code == 0, err
    assert {j["job"]: j["runs"] for j in json.loads(out)["jobs"]} == {"ping": 1, "nightly": 0}
    assert cli("pause", "ping")[0] == 0 and db.states()["ping"].paused
    assert cli("resume", "ping")[0] == 0 and not db.states()["ping"].paused
    code, out, err = cli("probe", "--json")
    checks = {c["name"]: c["status"] for c in json.loads(out)["checks"]}
    assert checks["runner ledger"] == "ok" and checks["runner replicas"] == "warn", out
    cli("schedule", "--yes")
    code, out, err = cli("list", "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)["jobs"]}
    assert rows["ping"]["status"] == "in sync" and rows["ping"]["last_states"] == ["delivered"]
    assert rows["nightly"]["paused"] is True


def test_trigger_of_a_failing_job_exits_1(write_config, cli, app):
    app.respond(500)
    write_config(FILE.format(url=app.url))
    code, out, _ = cli("trigger", "ping", "--yes", "--wait", env=SECRET)
    assert code == 1 and "failed" in out and "HTTP 500" in out


BAD = [
    ("overlap: sometimes", "overlap", "one of allow, forbid, replace"),
    ("catchup: newest", "catchup", "one of latest, all, none"),
    ("starting_deadline: soon", "starting_deadline", "a duration"),
    ("retries: -1", "retries", None),
    ("retry_backoff: fast", "retry_backoff", "doubled"),
    ("jitter: lots", "jitter", None),
    ("pause_after_failures: 0", "pause_after_failures", "at least 1"),
    ("notify: [not-a-url]", "notify.0", "apprise"),
    ("command: []", "command", "the program first"),
    ("env: {A: 1}\n    workdir: /tmp", "env", "command jobs only"),
    ("timezone: Mars/Olympus", "timezone", "IANA"),
    ("headers: {Authorization: x}", "headers", "CRON_SECRET"),
    ("method: FETCH", "method", "one of GET, POST"),
    ("notify: slack://x", "notify", "a list"),
]


@pytest.mark.parametrize(("line", "field", "hint"), BAD, ids=[b[1] for b in BAD])
def test_bad_values_of_each_new_key(write_config, cli, line, field, hint):
    path = write_config(f"""\
version: 1
project: demo
base_url: http://127.0.0.1:9
jobs:
  job:
    target: runner
    path: /x
    schedule: "* * * * *"
    {line}
""")
    code, out, err = cli("validate")
    assert code == 2, out + err
    text = out + err
    assert f"{path.name}:" in text and f"job 'job', {field}" in text, text
    assert ":9:" in text or ":10:" in text, text  # the line of the key
    if hint:
        assert hint in text, text


@pytest.mark.parametrize(("block", "field", "hint"), [
    ("database: mysql://x", "database", "postgresql://"),
    ("listen: nowhere", "listen", "host:port"),
    ("keep_days: 0", "keep_days", None),
    ("lease: 1s", "lease", None),
    ("databse: x.db", "databse", "did you mean 'database'"),
    ("base_url: ftp://app", "base_url", "http://app:3000"),
    ("max_parallel: 0", "max_parallel", "at least 1"),
    ("kill_grace: never", "kill_grace", "a duration"),
    ("keep_min_runs: -1", "keep_min_runs", None),
    ("notify: [oops]", "notify.0", "apprise"),
])
def test_bad_runner_settings(write_config, cli, block, field, hint):
    write_config(f"""\
version: 1
project: demo
runner:
  {block}
jobs: {{}}
""")
    code, out, err = cli("validate")
    text = out + err
    assert code == 2 and "schedules.yaml:4:" in text and field in text, text
    if hint:
        assert hint in text, text


def test_a_runner_job_without_path_or_command(write_config, cli):
    write_config("""\
version: 1
project: demo
jobs:
  job:
    target: runner
    schedule: "0 3 * * 7"
""")
    code, out, err = cli("validate")
    text = out + err
    assert code == 2
    assert "schedules.yaml:4:3: error: job 'job': a runner job needs 'path'" in text
    assert "schedules.yaml:6:15: error: job 'job', schedule:" in text
    assert "write Sunday as 0" in text


def test_a_tier_mapped_to_the_runner(write_config, cli):
    write_config("""\
version: 1
project: demo
base_url: http://127.0.0.1:9
tiers: {business: runner}
jobs:
  job:
    tier: business
    path: /x
    schedule: "0 3 * * *"
    overlap: replace
""")
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    assert json.loads(out)["jobs"][0]["target"] == "runner"


def test_a_command_job_with_http_keys(write_config, cli):
    write_config("""\
version: 1
project: demo
jobs:
  job:
    target: runner
    command: [echo]
    schedule: "0 3 * * *"
    body: {a: 1}
""")
    code, out, err = cli("validate")
    text = out + err
    assert code == 2
    assert "schedules.yaml:8:11: error: job 'job', body: body applies to HTTP jobs only" in text
