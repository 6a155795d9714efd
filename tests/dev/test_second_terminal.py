"""Issue 33, item 1: with `cronctl dev` running and nothing exported in a second terminal, every
command and every target gets what discovery found: `trigger` of a Vercel job and of a runner
job sends the CRON_SECRET the server knows, `logs` and `list` read the server's Vercel runs,
`probe` resolves ${CRON_SECRET}; a request that needs a bearer and has none is refused before
it is sent. The banner's exports pasted into the shell still reach the server's environment.

Real `cronctl dev` and real CLI subprocesses on loopback; the app is a real receiving server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl.dev import TOKEN
from cronctl.testing import ReceiverApp
from tests.dev.conftest import cronctl, poll, second_terminal

BOUND_S = 120.0  # a generous bound on each wait (a busy machine), never a speed
SECRET = "second-terminal-cron-secret-7731"
FROZEN = "2026-01-05T08:00:00Z"

FILE = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  biz:
    tier: business
    path: /api/cron/biz
    schedule: "0 9 * * *"
    headers:
      Authorization: Bearer ${CRON_SECRET}
  beat:
    tier: infrastructure
    path: /api/cron/beat
    schedule: "0 9 * * *"
  tick:
    target: runner
    path: /api/cron/tick
    schedule: "0 9 * * *"
"""


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


def project(tmp_path: Path, text: str = FILE) -> Path:
    (tmp_path / "schedules.yaml").write_text(text)
    return tmp_path


def started(start_dev, folder: Path, app: ReceiverApp, **env: str):
    """`cronctl dev --app-url APP` with `env` (the first terminal's exports), once applied."""
    dev = start_dev(folder, "--memory", "--app-url", app.url, "--clock", f"frozen:{FROZEN}",
                    env=second_terminal(**env))
    poll(lambda: (folder / ".cronctl" / "dev.json").exists()
         and "Applied " in dev.log(), "the first apply", wait_s=BOUND_S)
    return dev


def received(app: ReceiverApp, path: str) -> list:
    return [r for r in app.requests if r.path == path]


def test_trigger_of_a_vercel_and_a_runner_job_sends_the_servers_cron_secret(
        tmp_path, app, start_dev):
    folder = project(tmp_path)
    started(start_dev, folder, app, CRON_SECRET=SECRET)
    for job, path in (("beat", "/api/cron/beat"), ("tick", "/api/cron/tick")):
        done = cronctl(folder, "trigger", job, "--yes", "--wait", env=second_terminal())
        assert done.returncode == 0, done.stderr
        (request,) = received(app, path)
        assert request.headers.get("authorization") == f"Bearer {SECRET}", job
        assert SECRET not in done.stdout + done.stderr


def test_logs_list_and_probe_read_what_the_server_knows(tmp_path, app, start_dev):
    folder = project(tmp_path)
    dev = started(start_dev, folder, app, CRON_SECRET=SECRET)
    import httpx

    httpx.post(f"{dev.url}/_cronctl/advance?seconds=3600", trust_env=False, timeout=60,
               headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()  # 09:00
    poll(lambda: received(app, "/api/cron/beat"), "the Vercel job fired", wait_s=BOUND_S)

    logs = cronctl(folder, "logs", "beat", "--since", "24h", "--json", env=second_terminal())
    assert logs.returncode == 0, logs.stderr
    runs = json.loads(logs.stdout)["runs"]
    assert [(r["job"], r["state"]) for r in runs] == [("beat", "delivered")]

    listed = cronctl(folder, "list", "--json", env=second_terminal())
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)["jobs"]}
    assert rows["beat"]["last_run"] is not None and rows["beat"]["last_run"].startswith(
        "2026-01-05T09:00")
    assert rows["beat"]["last_states"] == ["delivered"]

    probe = cronctl(folder, "probe", "--json", env=second_terminal())
    checks = {c["name"]: c for c in json.loads(probe.stdout)["checks"]}
    assert checks["CRON_SECRET"]["status"] == "ok", probe.stdout
    assert not any("CRON_SECRET" in c["detail"] and c["status"] == "fail"
                   for c in checks.values()), probe.stdout
    for out in (logs, listed, probe):
        assert SECRET not in out.stdout + out.stderr


def test_a_request_that_needs_a_bearer_and_has_none_is_refused_before_it_is_sent(
        tmp_path, app):
    """No CRON_SECRET in the shell and no `cronctl dev` to read one from (a running one always
    has one: its shell's, or its development value)."""
    folder = project(tmp_path, FILE.replace("    headers:\n      Authorization: Bearer "
                                            "${CRON_SECRET}\n", ""))
    for job, path in (("beat", "/api/cron/beat"), ("tick", "/api/cron/tick")):
        refused = cronctl(folder, "trigger", job, "--yes", "--wait",
                          env=second_terminal(APP_URL=app.url))
        assert refused.returncode == 2, (job, refused.stdout, refused.stderr)
        assert "CRON_SECRET is not set" in refused.stderr, refused.stderr
        assert "hint:" in refused.stderr and "Traceback" not in refused.stderr
        assert received(app, path) == []  # nothing was sent


def test_the_banners_exports_pasted_into_the_shell_still_reach_the_server(
        tmp_path, app, start_dev):
    folder = project(tmp_path)
    dev = started(start_dev, folder, app, CRON_SECRET=SECRET)
    pasted = second_terminal(QSTASH_URL=dev.url, QSTASH_TOKEN=TOKEN)
    listed = cronctl(folder, "list", "--json", env=pasted)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r["status"] for r in json.loads(listed.stdout)["jobs"]}
    assert rows["biz"] == "in sync"
    done = cronctl(folder, "trigger", "beat", "--yes", env=pasted)
    assert done.returncode == 0, done.stderr
    (request,) = received(app, "/api/cron/beat")
    assert request.headers.get("authorization") == f"Bearer {SECRET}"


def test_the_dashboard_shows_the_vercel_jobs_last_run(tmp_path, app, start_dev):
    import re
    import subprocess
    import sys

    import httpx

    folder = project(tmp_path)
    dev = started(start_dev, folder, app, CRON_SECRET=SECRET)
    httpx.post(f"{dev.url}/_cronctl/advance?seconds=3600", trust_env=False, timeout=60,
               headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()  # 09:00
    poll(lambda: received(app, "/api/cron/beat"), "the Vercel job fired", wait_s=BOUND_S)
    token = "dashboard-viewer-token-0123456789"
    log = folder / "ui.log"
    with log.open("w") as out:
        ui = subprocess.Popen([sys.executable, "-m", "cronctl", "ui", "--port", "0"],
                              cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                              env=second_terminal(CRONCTL_UI_TOKENS=f"vic:viewer:{token}"))
    try:
        url = poll(lambda: re.search(r"at (http://\S+?)/?$", log.read_text(), re.M),
                   "the dashboard's URL", wait_s=BOUND_S).group(1)  # type: ignore[union-attr]
        with httpx.Client(base_url=url, trust_env=False, timeout=60) as http:
            assert http.post("/login", data={"token": token}).status_code == 303

            def beat() -> dict | None:
                rows = {r["name"]: r for r in http.get("/api/jobs").json()["jobs"]}
                return rows["beat"] if rows["beat"].get("last_run") else None

            row = poll(beat, "the Vercel job's last run on the dashboard", wait_s=BOUND_S)
        assert row["last_run"].startswith("2026-01-05T09:00"), row  # type: ignore[index]
        assert SECRET not in log.read_text()
    finally:
        ui.terminate()
        ui.wait(timeout=30)
