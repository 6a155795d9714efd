"""`cronctl logs`: one row per run, checked against what the app saw; manual runs marked;
--follow prints a run that happens after it started; Vercel jobs from `cronctl dev`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.operations

SLOW_S = 0.3


def _history(ops):
    """2 scheduled runs + 1 manual run delivered, 1 run failed twice, 1 slow delivery."""
    ops.setup(ops.every_15("tick"))
    manual = ops.run("trigger", "tick", "--yes", "--json")
    assert manual.code == 0, manual.err
    manual_id = json.loads(manual.out)["message_id"]
    ops.server.advance(1800)  # the manual run, then two scheduled ones
    ops.app.respond(500)
    ops.server.advance(900)  # one run: 2 attempts, then FAILED (into the DLQ)
    ops.app.respond(200, delay=SLOW_S)
    ops.server.advance(900)  # one slow run
    return manual_id


def test_logs_rows_match_what_the_app_saw(ops):
    manual_id = _history(ops)
    result = ops.run("logs", "tick", "--json")
    assert result.code == 0, result.err
    runs = json.loads(result.out)["runs"]
    seen: dict[str, list] = {}
    for req in ops.got("tick"):
        seen.setdefault(req.headers["upstash-message-id"], []).append(req)
    assert len(runs) == len(seen) == 5
    assert {r["run_id"] for r in runs} == set(seen)
    for r in runs:
        assert r["attempts"] == len(seen[r["run_id"]])
    # Newest first: slow, failed, two scheduled, then the manual one.
    assert [r["state"] for r in runs] == ["delivered", "failed", "delivered", "delivered",
                                          "delivered"]
    assert [r["due"] for r in runs] == sorted((r["due"] for r in runs), reverse=True)
    assert [r["started_by"] for r in runs] == ["schedule"] * 4 + ["manual"]
    assert runs[-1]["run_id"] == manual_id
    failed = runs[1]
    assert (failed["status"], failed["attempts"]) == (500, 2)
    assert failed["response"] == "status 500" and failed["error"] is None  # the app's body
    slow = runs[0]
    # the app slept SLOW_S before answering: a lower bound, never an upper one
    assert slow["status"] == 200 and slow["duration_ms"] >= SLOW_S * 1000

    only_failed = json.loads(ops.run("logs", "tick", "--status", "failed", "--json").out)
    assert [r["run_id"] for r in only_failed["runs"]] == [failed["run_id"]]
    assert len(json.loads(ops.run("logs", "--limit", "2", "--json").out)["runs"]) == 2
    # --until: the window's end, as an ISO time (the newest run's due time) or a duration ago
    older = json.loads(ops.run("logs", "tick", "--until", runs[1]["due"], "--json").out)["runs"]
    assert [r["run_id"] for r in older] == [r["run_id"] for r in runs[1:]]
    assert (older[0]["state"], older[0]["attempts"]) == ("failed", 2)  # its retry came later
    assert ops.run("logs", "--until", "soon").code == 2

    text = ops.run("logs", "tick")
    assert text.code == 0
    assert "manual" in text.out and "failed" in text.out
    assert "5 runs (4 delivered, 1 failed), 1 started by hand." in text.out
    assert ops.secret not in text.out

    stats = json.loads(ops.run("stats", "--json").out)["jobs"][0]
    assert (stats["runs"], stats["manual"], stats["dlq"]) == (5, 1, 1)
    bad = ops.run("logs", "tick", "--status", "gone")
    assert bad.code == 2 and "delivered, failed, in-flight" in bad.err


def test_logs_follow_prints_a_run_after_it_started(ops):
    ops.setup(ops.every_15("tick"))
    env = {**os.environ, "CRONCTL_POLL_INTERVAL": "0.1", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cronctl", "logs", "tick", "--follow"],
                            cwd=ops.folder, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            err_seen = proc.stderr.readline()
            if "following" in err_seen:
                break
        assert not lines  # nothing has run yet
        ops.server.advance(900)
        while not any("delivered" in line for line in lines) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
        reader.join(10)
    run_id = ops.got("tick")[0].headers["upstash-message-id"]
    delivered = [line for line in lines if "delivered" in line]
    assert len(delivered) == 1 and "tick" in delivered[0] and "schedule" in delivered[0]
    assert "HTTP 200" in delivered[0] and "1 attempt" in delivered[0]
    assert len(ops.got("tick")) == 1 and run_id
    assert code == 130


def test_vercel_runs_from_dev_and_what_vercel_cannot_tell(ops, tmp_path, monkeypatch):
    from cronctl.testing import DevServer

    infra = ("  beat:\n    tier: infrastructure\n    path: /api/beat\n"
             '    schedule: "0 * * * *"\n')
    ops.setup(ops.every_15("tick") + infra)
    ops.app.respond(503)
    with DevServer(memory=True, clock="frozen", config_path=ops.folder / "schedules.yaml",
                   app_url=ops.app.url) as vercel_dev:
        for key, value in vercel_dev.env().items():
            monkeypatch.setenv(key, value)
        vercel_dev.advance(7200)
        result = ops.run("logs", "beat", "--json")
        assert result.code == 0, result.err
        runs = json.loads(result.out)["runs"]
        fired = [r for r in ops.app.requests if r.path == "/api/beat"]
        assert len(runs) == len(fired) == 2
        assert {(r["state"], r["status"], r["started_by"]) for r in runs} == {
            ("failed", 503, "schedule")}
    monkeypatch.delenv("QSTASH_URL")
    cannot = ops.run("logs", "beat")
    assert cannot.code == 2 and "cannot read them without a Vercel API token" in cannot.err


def test_every_job_at_once_notes_what_a_target_cannot_tell(ops):
    kube = '  sweep:\n    target: kubernetes\n    path: /api/sweep\n    schedule: "0 3 * * *"\n'
    ops.setup(ops.every_15("tick") + kube)
    ops.server.advance(900)
    both = ops.run("logs", "--json")
    assert both.code == 0, both.err
    data = json.loads(both.out)
    assert [r["job"] for r in data["runs"]] == ["tick"]
    assert any("Kubernetes keeps the runs" in note for note in data["notes"])
    one = ops.run("logs", "sweep")
    assert one.code == 2 and "kubectl get jobs" in one.err
    no_dlq = ops.run("dlq", "sweep")
    assert no_dlq.code == 2 and ("cronctl cannot list or retry dead letters of Kubernetes jobs"
                                  in no_dlq.err)


def test_a_response_body_that_echoes_the_secret_is_masked(ops, monkeypatch):
    """A hostile app answers 500 with the bearer token it was sent in its body."""
    from cronctl.testing import _Threaded

    async def echo_app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        auth = dict(scope["headers"]).get(b"authorization", b"").decode()
        body = f"denied, you sent {auth}".encode()
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    hostile = _Threaded(echo_app, lifespan="off")
    try:
        ops.app.url = hostile.url
        ops.setup(ops.job("leaky", schedule="*/15 * * * *", extra="retries: 0"))
        ops.server.advance(900)
        outputs = [ops.run("logs", "leaky", "--json"), ops.run("logs", "leaky"),
                   ops.run("dlq", "--json"), ops.run("stats", "--json")]
    finally:
        hostile.stop()
    runs = json.loads(outputs[0].out)["runs"]
    assert runs[0]["state"] == "failed" and runs[0]["response"] == "denied, you sent ***"
    for result in outputs:
        assert result.code == 0, result.err
        assert ops.secret not in result.out + result.err
    assert json.loads(outputs[2].out)["messages"][0]["body"] == "denied, you sent ***"
