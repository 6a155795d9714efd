"""`cronctl verify` over the runner's ledger: the real scheduler loop on a frozen clock (real
HTTP to a loopback app, the real SQLite ledger) judged slot by slot; a real `cronctl run`
subprocess verified by the real CLI, then stopped and reported missed; `cronctl exec` rows of
a wrapped Kubernetes job counted as that CronJob's runs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from cronctl.config import load_config
from cronctl.targets.runner.ledger import Ledger
from cronctl.verification import verify

from .conftest import runner_file
from .test_commands import _cronctl, _env

MIN = 60_000


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def report_of(path, now_ms: int, since: str = "2026-03-02 10:00"):
    report, _ = verify(load_config(path), None, since_ms=at(since), now_ms=now_ms)
    return {j.job: j for j in report.jobs}, report


def states(job) -> list[tuple[str, str]]:
    return [(datetime.fromtimestamp(s.slot.scheduled_ms / 1000, UTC).strftime("%H:%M"),
             s.state) for s in job.slots]


def test_the_runners_ledger_judged_slot_by_slot(tmp_path, app, clock, make_runner):
    path = runner_file(tmp_path, """
        ping:
          target: runner
          path: /api/cron/ping
          schedule: "* * * * *"
    """, base_url=app.url)
    runner = make_runner(path, db=str(tmp_path / ".cronctl/runner.sqlite3"))
    runner.tick()  # 10:00:30: loaded; the first slot is 10:01
    for minute in range(1, 7):
        clock.advance(30)
        app.respond(500 if minute == 4 else 200)
        runner.tick()
        runner.wait_idle()
        clock.advance(30)
    jobs, report = report_of(path, clock.ms())  # 10:06:30
    ping = jobs["ping"]
    assert states(ping) == [("10:01", "ok"), ("10:02", "ok"), ("10:03", "ok"),
                            ("10:04", "failed"), ("10:05", "ok"), ("10:06", "ok")]
    assert [r.run_id for r in ping.slots[3].runs] == ["ping@2026-03-02T10:04:00Z"]
    assert not report.ok and ping.drift is None

    # The runner stops for five minutes: those slots are missed once their tolerance passes
    clock.advance(5 * 60)  # 10:11:30, nothing fired
    jobs, _ = report_of(path, clock.ms())
    assert states(jobs["ping"])[6:] == [("10:07", "missed"), ("10:08", "missed"),
                                        ("10:09", "missed"), ("10:10", "missed"),
                                        ("10:11", "pending")]
    # ... it comes back: catch-up fires the newest (late, inside the tolerance) and records
    # the others as missed, and verify agrees with the runner's own record
    runner.tick()
    runner.wait_idle()
    jobs, _ = report_of(path, clock.ms())
    assert states(jobs["ping"])[6:] == [("10:07", "missed"), ("10:08", "missed"),
                                        ("10:09", "missed"), ("10:10", "missed"),
                                        ("10:11", "ok")]

    # Paused in the ledger behind the file's back: drift, and the slots after it missed
    runner.ledger.set_paused("ping", True, clock.ms(), "paused by hand (cronctl pause)")
    clock.advance(3 * 60)
    runner.tick()
    jobs, report = report_of(path, clock.ms(), since="2026-03-02 10:12")
    ping = jobs["ping"]
    assert "paused in the runner's ledger (paused by hand" in ping.drift
    assert states(ping) == [("10:12", "missed"), ("10:13", "missed"), ("10:14", "pending")]


def test_a_manual_run_and_a_job_the_file_pauses(tmp_path, app, clock, make_runner):
    path = runner_file(tmp_path, """
        ping:
          target: runner
          path: /api/cron/ping
          schedule: "*/5 * * * *"
        off:
          target: runner
          path: /api/cron/off
          schedule: "* * * * *"
          enabled: false
    """, base_url=app.url)
    runner = make_runner(path, db=str(tmp_path / ".cronctl/runner.sqlite3"))
    runner.tick()
    clock.advance(270)  # 10:05:00
    runner.tick()
    runner.wait_idle()
    # `cronctl trigger` at 10:05:10: a manual row, as the ledger keeps it
    from cronctl.targets.runner.records import Execution

    now = clock.ms() + 10_000
    runner.ledger.claim([Execution("ping@manual", "ping", now, "manual", started_at=now,
                                   finished_at=now + 50, outcome="succeeded")])
    # a scheduled run of a job no longer in the file (a runner still on the old file)
    runner.ledger.claim([Execution("gone@x", "gone", now, "schedule", started_at=now,
                                   finished_at=now + 50, outcome="succeeded")])
    jobs, report = report_of(path, clock.ms() + 30_000)
    assert states(jobs["ping"]) == [("10:05", "ok")] and jobs["ping"].manual == 1
    assert jobs["off"].slots == [] and jobs["off"].unexpected == [] and report.ok
    assert [(o.job, o.run_id) for o in report.unexpected] == [("gone", "gone@x")]


def test_a_real_runner_verified_by_the_cli_then_stopped(tmp_path):
    runner_file(tmp_path, """
        tick:
          target: runner
          command: ["true"]
          schedule: "@every 1s"
    """)
    proc = subprocess.Popen([sys.executable, "-m", "cronctl", "run", "--listen", ""],
                            cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    db = tmp_path / ".cronctl/runner.sqlite3"
    try:
        deadline = time.monotonic() + 60
        while not (db.exists() and len(Ledger(str(db)).runs(["tick"],
                                                            outcomes=["succeeded"])) >= 3):
            assert time.monotonic() < deadline and proc.poll() is None, "no runs"
            time.sleep(0.1)
        done = _cronctl("verify", "--json", "--since", "10m", cwd=tmp_path)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert done.returncode in (0, 1), done.stderr
    (tick,) = json.loads(done.stdout)["jobs"]
    assert tick["counts"]["ok"] >= 3
    assert tick["counts"]["failed"] == tick["counts"]["duplicate"] == 0 == tick["counts"]["stuck"]
    # A busy machine can make the loop fall behind; then the runner itself records the slots
    # it missed, and verify agrees with that record: no missed slot the ledger does not have.
    recorded = {r.scheduled_at for r in Ledger(str(db)).runs(["tick"], outcomes=["missed"])}
    missed = {at(p["scheduled"][:19]) for p in tick["problems"] if p["state"] == "missed"}
    assert missed <= recorded
    assert done.returncode == (1 if missed else 0)

    # Stopped: with a two-second tolerance from the runner's settings, its slots turn missed
    path = tmp_path / "schedules.yaml"
    path.write_text(path.read_text().replace("jobs:\n", "runner:\n  verify: {tolerance: 2s}\n"
                                             "jobs:\n"))
    stopped = int(time.time() * 1000)
    deadline = time.monotonic() + 60
    while True:
        late = _cronctl("verify", "tick", "--json", "--since", "10m", cwd=tmp_path)
        assert late.returncode in (0, 1), late.stderr
        (tick,) = json.loads(late.stdout)["jobs"]
        gone = [p for p in tick["problems"] if p["state"] == "missed"
                and at(p["scheduled"][:19]) > stopped]
        if len(gone) >= 2:
            break
        assert time.monotonic() < deadline, "the stopped runner was never reported"
        time.sleep(0.2)
    assert late.returncode == 1 and tick["policy"]["tolerance_s"] == 2.0
    text = _cronctl("verify", "tick", "--since", "10m", cwd=tmp_path)
    assert text.returncode == 1 and "missed" in text.stdout and "Problems found." in text.stdout


def test_wrapped_kubernetes_jobs_are_observed_through_cronctl_exec(tmp_path):
    (tmp_path / "schedules.yaml").write_text(
        "version: 1\nproject: demo\nkubernetes:\n  wrap: true\n  image: app:1\njobs:\n"
        "  report:\n    target: kubernetes\n    command: [python, report.py]\n"
        "    schedule: \"* * * * *\"\n"
        "  http:\n    target: kubernetes\n    path: /api/cron/x\n    schedule: \"0 * * * *\"\n"
        "base_url: https://app.example.com\n")
    assert _cronctl("generate", cwd=tmp_path).returncode == 0
    ran = _cronctl("exec", "report", "--", sys.executable, "-c", "print(1)", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    done = _cronctl("verify", "--json", "--since", "3m", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    jobs = {j["job"]: j for j in json.loads(done.stdout)["jobs"]}
    (row,) = Ledger(str(tmp_path / ".cronctl/runner.sqlite3")).runs(["report"])
    report = jobs["report"]
    # the exec run is matched to the slot it started after (this minute's), never unexpected
    assert report["unobservable"] is None and report["unexpected"] == []
    assert report["counts"]["ok"] >= 1 and report["counts"]["duplicate"] == 0
    assert jobs["http"]["unobservable"] and "wrap: true" in jobs["http"]["unobservable"]
    assert row.triggered_by == "exec"
