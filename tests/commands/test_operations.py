"""stats, probe, trigger, pause/resume and import + schedule --adopt, against `cronctl dev`
with real deliveries to a small local app."""

from __future__ import annotations

import json

import pytest
from qstash import QStash, Receiver

from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY
from cronctl.testing import DevServer, ReceiverApp


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


def make_project(request, tmp_path, monkeypatch, capsys, app, server):
    project_cls = type(request.getfixturevalue("project"))
    project = project_cls(tmp_path, server, monkeypatch, capsys)
    project.base = app.url
    return project


def write(project, jobs: str, header: str = "") -> None:
    text = project.write(jobs, header=header).read_text()
    project.folder.joinpath("schedules.yaml").write_text(
        text.replace("https://app.example.com", project.base))


def every_15_minutes(project, name: str = "tick", extra: str = "") -> str:
    return project.job(name, schedule="*/15 * * * *",
                       extra="retries: 1\nretry_delay: \"1000\"\n" + extra)


@pytest.fixture
def env(request, tmp_path, monkeypatch, capsys, app):
    with DevServer(memory=True, clock="frozen") as server:  # frozen at the wall time
        yield make_project(request, tmp_path, monkeypatch, capsys, app, server)


def test_stats_match_what_the_app_saw(env, app):
    write(env, every_15_minutes(env) + env.job("quiet", schedule="0 0 1 1 *"))
    assert env.run("schedule", "--yes").code == 0
    env.server.advance(3600)  # 4 runs, all delivered
    app.respond(500)
    env.server.advance(3605)  # 4 runs, each tried twice (1 retry, 1 s later), then FAILED
    tick = [r for r in app.requests if r.path == "/api/cron/tick"]
    assert len(tick) == 4 + 4 * 2

    result = env.run("stats", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    by_job = {j["job"]: j for j in data["jobs"]}
    t = by_job["tick"]
    assert (t["runs"], t["delivered"], t["failed"], t["in_flight"]) == (8, 4, 4, 0)
    assert t["retries"] == 4
    assert t["success_rate"] == 0.5
    assert t["consecutive_failures"] == 4
    assert t["dlq"] == 4
    assert t["last_failure"]["status"] == 500
    assert t["last_success"]["status"] == 200
    assert t["latency_p50_ms"] is not None
    assert by_job["quiet"]["runs"] == 0
    assert data["jobs"][0]["job"] == "tick"  # failing jobs first
    assert data["summary"]["runs"] == 8 and data["summary"]["failing"] == ["tick"]

    table = env.run("stats", "--job", "tick")
    assert "in a row" in table.out
    assert "1 job, 8 runs, 50.0% delivered, 4 failed" in table.out
    long = env.run("stats", "--since", "30d", "--json")
    assert "at most 7 days" in json.loads(long.out)["note"]


def test_probe_finds_key_secret_drift_and_diagnostics(env, app, monkeypatch):
    header = "diagnostics:\n  components: [database]\n"
    write(env, env.job("a"), header=header)
    env.run("schedule", "--yes")
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", CURRENT_SIGNING_KEY)
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", NEXT_SIGNING_KEY)
    healthy = env.run("probe", "--json")
    assert healthy.code == 0, healthy.out
    checks = {c["name"]: c for c in json.loads(healthy.out)["checks"]}
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert checks["diagnostics database"]["status"] == "ok"
    diag = [r for r in app.requests if r.path == "/api/diagnostics"]
    assert diag and diag[-1].url.endswith("?component=database")
    assert diag[-1].headers["authorization"] == f"Bearer {env.secret}"
    assert not [r for r in app.requests if r.path == "/api/cron/a"]  # never runs a job

    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_wrong")
    monkeypatch.setenv("CRON_SECRET", "short")
    write(env, env.job("a", schedule="5 9 * * *"), header=header)
    app.respond(503)
    sick = env.run("probe", "--json")
    assert sick.code == 1
    checks = {c["name"]: c for c in json.loads(sick.out)["checks"]}
    assert checks["QSTASH_CURRENT_SIGNING_KEY"]["status"] == "fail"
    assert checks["QSTASH_NEXT_SIGNING_KEY"]["status"] == "ok"
    assert checks["CRON_SECRET"]["status"] == "fail"
    assert checks["schedules"]["status"] == "fail" and "drifted: a" in checks["schedules"][
        "detail"]
    assert checks["diagnostics database"]["status"] == "fail"
    assert all(c["hint"] for c in checks.values() if c["status"] != "ok")
    assert "sig_wrong" not in sick.out and "short" not in sick.out.replace("shortened", "")


def test_cron_secret_header_rules():
    from cronctl.commands.probe import check_cron_secret

    assert check_cron_secret(None).status == "fail"
    assert check_cron_secret("x" * 15).status == "fail"
    assert check_cron_secret("x" * 15 + "\n").status == "fail"
    assert check_cron_secret("ünïcode-secret-value").status == "fail"
    assert check_cron_secret("x" * 32).status == "ok"


def test_trigger_business_job_is_signed_and_infra_job_is_called_like_vercel(env, app):
    infra = "  beat:\n    tier: infrastructure\n    path: /api/beat\n    schedule: \"0 6 * * *\"\n"
    write(env, env.job("pay", extra="body: {kind: manual}") + infra)
    result = env.run("trigger", "pay", "--yes", "--json")
    assert result.code == 0, result.err
    message_id = json.loads(result.out)["message_id"]
    env.server.advance(1)
    got = [r for r in app.requests if r.path == "/api/cron/pay"]
    assert len(got) == 1
    delivery = got[0]
    assert delivery.headers["upstash-message-id"] == message_id
    assert json.loads(delivery.text) == {"kind": "manual"}
    assert delivery.headers["authorization"] == f"Bearer {env.secret}"
    Receiver(CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY).verify(
        signature=delivery.headers["upstash-signature"], body=delivery.text, url=delivery.url)

    beat = env.run("trigger", "beat", "--yes")
    assert beat.code == 0 and "HTTP 200" in beat.out
    call = [r for r in app.requests if r.path == "/api/beat"][0]
    assert call.method == "GET"
    assert call.headers["user-agent"] == "vercel-cron/1.0"
    assert call.headers["x-vercel-cron-schedule"] == "0 6 * * *"
    assert call.headers["authorization"] == f"Bearer {env.secret}"
    assert env.run("trigger", "pay").code == 2  # no terminal, no --yes


def test_pause_and_resume_say_the_file_still_decides(env):
    write(env, env.job("a"))
    env.run("schedule", "--yes")
    paused = env.run("pause", "a")
    assert paused.code == 0 and "enabled: true" in paused.err
    assert env.schedules()["cronctl.acme.a"]["isPaused"] is True
    assert "1 to resume" in env.run("diff").out
    assert env.run("resume", "a").code == 0
    assert env.schedules()["cronctl.acme.a"]["isPaused"] is False
    infra = "  beat:\n    tier: infrastructure\n    path: /b\n    schedule: \"0 6 * * *\"\n"
    write(env, env.job("a") + infra)
    assert env.run("pause", "beat").code == 2


def test_import_then_adopt_ends_with_the_same_schedules_all_managed(env, tmp_path):
    sdk = QStash(env.server.token, base_url=env.server.url)
    dest = env.base + "/api/cron/"
    sdk.schedule.create(destination=dest + "reminders", cron="CRON_TZ=Europe/Lisbon 0 9 * * *",
                        headers={"Authorization": f"Bearer {env.secret}"}, retries=5)
    sdk.schedule.create(destination=dest + "cleanup", cron="*/15 * * * *")
    (tmp_path / "vercel.json").write_text(
        '{"crons": [{"path": "/api/cron/keep-alive", "schedule": "0 6 * * *"}]}\n')
    before = {(s["destination"], s["cron"]) for s in env.server.schedules()}

    imported = env.run("import", "--from-qstash", "--from-vercel", "vercel.json",
                       "-o", "imported.yaml", "--project", "acme")
    assert imported.code == 0, imported.err
    text = (tmp_path / "imported.yaml").read_text()
    assert env.secret not in text and "${CRON_SECRET}" in text

    plan = env.run("-c", "imported.yaml", "schedule", "--adopt", "--dry-run")
    assert "Plan: 2 to create, 0 to update, 2 to delete" in plan.out
    assert "replaced by job" in plan.out
    done = env.run("-c", "imported.yaml", "schedule", "--adopt", "--yes")
    assert done.code == 0, done.err
    after = env.server.schedules()
    assert {(s["destination"], s["cron"]) for s in after} == before
    assert all(s["scheduleId"].startswith("cronctl.acme.") for s in after)
    assert len(after) == 2
    assert env.run("-c", "imported.yaml", "diff", "--exit-code").code == 0
