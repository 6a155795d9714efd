"""`cronctl run` and `cronctl exec` through the real entry point (subprocesses), /healthz and
/metrics (parsed with prometheus_client's own parser), and notifications to a loopback
webhook through apprise."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from cronctl.targets.runner.ledger import Ledger
from cronctl.targets.runner.server import serve
from cronctl.testing import ReceiverApp

from .conftest import runner_file

SECRET = "cron-secret-value-5150"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRONCTL_", "CRON_"))}
    return {**env, "NO_COLOR": "1", **extra}


def _cronctl(*args, cwd, **kw):
    return subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=60, **kw)


def test_exec_propagates_the_exit_code_and_records_the_run(tmp_path):
    runner_file(tmp_path, """
        report:
          target: runner
          command: [echo]
          schedule: "0 3 * * *"
    """)
    r = _cronctl("exec", "report", "--", sys.executable, "-c",
                 "print('partial output'); raise SystemExit(4)", cwd=tmp_path)
    assert r.returncode == 4, r.stderr
    assert "partial output" in r.stdout
    assert "exit code 4" in r.stderr
    ok = _cronctl("exec", "report", "--", sys.executable, "-c", "print('fine')", cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.strip() == "fine"
    rows = Ledger(str(tmp_path / ".cronctl/runner.sqlite3")).runs(["report"])
    assert [(x.outcome, x.exit_code, x.triggered_by) for x in rows] == \
        [("succeeded", 0, "exec"), ("failed", 4, "exec")]
    assert rows[1].result.strip() == "partial output" and rows[1].user_name
    missing = _cronctl("exec", "report", "--", "/nonexistent/program", cwd=tmp_path)
    assert missing.returncode == 127


def test_exec_refuses_to_overlap_a_running_run_and_times_out_with_124(tmp_path):
    runner_file(tmp_path, """
        report:
          target: runner
          command: [echo]
          schedule: "0 3 * * *"
        quick:
          target: runner
          command: [echo]
          schedule: "0 3 * * *"
          timeout: 1s
    """)
    marker = tmp_path / "go"
    wait = f"import os, time\nwhile not os.path.exists({str(marker)!r}): time.sleep(0.05)"
    first = subprocess.Popen([sys.executable, "-m", "cronctl", "exec", "report", "--",
                              sys.executable, "-c", wait],
                             cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    db = tmp_path / ".cronctl/runner.sqlite3"
    deadline = time.monotonic() + 30
    while not (db.exists() and Ledger(str(db)).runs(["report"], outcomes=["running"])):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.1)
    second = _cronctl("exec", "report", "--", "true", cwd=tmp_path)
    assert second.returncode == 75
    assert "already running" in second.stderr and "overlap policy is forbid" in second.stderr
    marker.write_text("")
    assert first.wait(timeout=30) == 0
    slow = _cronctl("exec", "quick", "--", sys.executable, "-c", "import time; time.sleep(30)",
                    cwd=tmp_path)
    assert slow.returncode == 124 and "timed out after 1s" in slow.stderr


def test_run_fires_jobs_serves_health_and_metrics_and_stops_on_sigterm(tmp_path):
    port = _port()
    with ReceiverApp() as app:
        runner_file(tmp_path, """
            tick:
              target: runner
              path: /api/cron/tick
              schedule: "@every 1s"
        """, base_url=app.url)
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", "run", "--listen",
                                 f"127.0.0.1:{port}"], cwd=tmp_path,
                                env=_env(CRON_SECRET=SECRET), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while len(app.requests) < 2:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", trust_env=False)
            assert health.status_code == 200 and health.json()["jobs"] == 1
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False).text
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert app.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    families = {f.name: f for f in text_string_to_metric_families(text)}
    runs = {(s.labels["job"], s.labels["outcome"]): s.value
            for s in families["cronctl_runs"].samples if s.name == "cronctl_runs_total"}
    assert runs[("tick", "succeeded")] >= 1
    assert families["cronctl_firing_lag_seconds"].type == "histogram"
    assert families["cronctl_run_duration_seconds"].type == "histogram"
    assert any(s.labels.get("job") == "tick"
               for s in families["cronctl_last_success_timestamp_seconds"].samples)
    assert SECRET not in text and SECRET not in err and SECRET not in out
    assert "signal 15: stopping" in err
    db = Ledger(str(tmp_path / ".cronctl/runner.sqlite3"))
    assert db.replicas() == []  # it said goodbye
    assert {x.outcome for x in db.runs(["tick"])} <= {"succeeded", "missed", "skipped"}


def test_healthz_turns_503_when_the_loop_stops_ticking(tmp_path, make_runner):
    path = runner_file(tmp_path, """
        a:
          target: runner
          command: [echo]
          schedule: "* * * * *"
    """)
    runner = make_runner(path)
    server = serve(runner, "127.0.0.1", 0, stuck_after=0.5)
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    try:
        assert httpx.get(url, trust_env=False).status_code == 503  # never ticked
        runner.tick()
        assert httpx.get(url, trust_env=False).json()["status"] == "ok"
        time.sleep(0.6)  # the loop is stuck: no tick for longer than stuck_after
        r = httpx.get(url, trust_env=False)
        assert r.status_code == 503 and r.json()["status"] == "stuck"
    finally:
        server.shutdown()


def test_notifications_on_failure_and_recovery_and_a_failing_notifier(tmp_path, app, clock,
                                                                      make_runner):
    with ReceiverApp() as hook:
        app.respond(500)
        dead = f"json://127.0.0.1:{_port()}/nobody-listens"
        path = runner_file(tmp_path, f"""
            job:
              target: runner
              path: /x
              schedule: "* * * * *"
              notify: ["{dead}", "json://{hook.url.removeprefix('http://')}/hook"]
        """, base_url=app.url)
        r = make_runner(path, notify=True)
        for status in (500, 500, 200, 200):
            app.respond(status)
            clock.advance(60)
            r.tick()
            r.wait_idle()
        r.worker.notifier.flush()
        bodies = [json.loads(q.body) for q in hook.requests]
    # the first failure of a streak, then the recovery; nothing for the repeats
    assert [b["title"] for b in bodies] == ["cronctl: job failed", "cronctl: job recovered"]
    assert "HTTP 500" in bodies[0]["message"] and "after 2 failed run(s)" in bodies[1]["message"]
    assert [b["type"] for b in bodies] == ["failure", "success"]
    assert [x.outcome for x in r.ledger.runs(["job"])] == \
        ["succeeded", "succeeded", "failed", "failed"]
    assert r.worker.notifier.failed == 2  # the unreachable URL, twice; the runner went on
