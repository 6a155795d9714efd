"""Issue 33, item 6: what a person reads when something is off. The runner's trigger with the app
down names the URL and what to do; `trigger --wait` that times out shows the last error;
Ctrl-C during `schedule` says how far it got; an exec run is "by exec"; a job paused by hand is
`paused`, not `drifted`; a runner job whose URL differs says which value each side has."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

from cronctl.commands.trigger import describe
from cronctl.targets.base import Run
from cronctl.testing import DevServer, ReceiverApp
from tests.dev.conftest import poll

BOUND_S = 120.0  # a generous bound on each wait (a busy machine), never a speed
SECRET = {"CRON_SECRET": "first-hour-cron-secret-0815"}

RUNNER = """\
version: 1
project: demo
base_url: {base}
jobs:
  tick:
    target: runner
    path: /api/cron/tick
    schedule: "0 3 * * *"
  report:
    target: runner
    command: [echo, report]
    schedule: "0 4 * * *"
"""


def test_a_runner_trigger_with_the_app_down_names_the_url_and_what_to_do(write_config, cli):
    with ReceiverApp() as gone:
        base = gone.url  # a port that was just served, now closed: connection refused
    write_config(RUNNER.format(base=base))
    code, out, err = cli("trigger", "tick", "--yes", env=SECRET)
    assert code == 1, err
    assert f"POST {base}/api/cron/tick: connection refused" in out, out
    assert "hint: is the app running at base_url?" in out
    assert "Errno" not in out + err and "ConnectionRefusedError" not in out + err
    code, out, _ = cli("trigger", "tick", "--yes", "--wait", env=SECRET)
    assert code == 1 and "tick: failed, 1 attempt" in out, out
    assert out.splitlines()[1].endswith(": connection refused"), out
    assert "hint: is the app running at base_url?" in out


def test_trigger_wait_that_times_out_shows_the_last_error():
    running = Run(job="sync", run_id="m1", due=None, started=None, started_by="manual",
                  state="in-flight", attempts=2, status=500, error="HTTP 500",
                  response="upstream down")
    assert describe(running, 30) == ("sync: still running after 30s (2 attempts so far; the "
                                     "last: HTTP 500, HTTP 500 | upstream down); see "
                                     "'cronctl logs sync'")
    waiting = Run(job="sync", run_id="m1", due=None, started=None, started_by="manual",
                  state="in-flight")
    assert describe(waiting, 5) == ("sync: still running after 5s (0 attempts so far); see "
                                    "'cronctl logs sync'")


def test_an_exec_run_is_shown_by_exec(write_config, cli):
    write_config(RUNNER.format(base="http://127.0.0.1:9"))
    code, _, err = cli("exec", "report", "--", sys.executable, "-c", "pass")
    assert code == 0, err
    code, out, err = cli("logs", "report", "--json")
    assert code == 0, err
    assert [r["started_by"] for r in json.loads(out)["runs"]] == ["exec"]
    code, out, _ = cli("logs", "report")
    assert "exec" in out and "1 started by hand" in out


def test_a_job_paused_by_hand_is_paused_and_the_file_says_enabled(write_config, cli):
    write_config(RUNNER.format(base="http://127.0.0.1:9"))
    assert cli("schedule", "--yes")[0] == 0
    assert cli("pause", "tick")[0] == 0
    code, out, err = cli("list", "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)["jobs"]}
    assert rows["tick"]["status"] == "paused"
    assert rows["tick"]["drift"] == ["the file says enabled"]
    assert rows["report"]["status"] == "in sync"
    code, out, _ = cli("list")
    assert "paused (the file says enabled)" in out and "drifted" not in out


def test_a_runner_url_that_differs_says_which_value_each_side_has(write_config, cli):
    write_config(RUNNER.format(base="${APP_URL}"))
    runner_side = {"APP_URL": "http://runner.internal:3000"}
    assert cli("schedule", "--yes", env=runner_side)[0] == 0  # what the runner loaded
    code, out, err = cli("list", "--json", env={"APP_URL": "http://localhost:3000"})
    assert code == 0, err
    row = next(r for r in json.loads(out)["jobs"] if r["name"] == "tick")
    assert row["status"] == "drifted"
    assert row["drift"] == ["url: the runner has http://runner.internal:3000/api/cron/tick, "
                            "this shell http://localhost:3000/api/cron/tick"]


def test_ctrl_c_during_schedule_says_how_many_were_applied_and_that_again_finishes(tmp_path):
    """A real `cronctl schedule` subprocess against a slow QStash (each answer 400 ms), one
    request at a time; SIGINT once the server holds the first schedule."""
    jobs = "".join(f"  job-{i:02d}:\n    tier: business\n    path: /api/cron/j{i}\n"
                   f"    schedule: \"{i} 9 * * *\"\n" for i in range(20))
    (tmp_path / "schedules.yaml").write_text(textwrap.dedent("""\
        version: 1
        project: acme
        base_url: https://app.example.com
        jobs:
        """) + jobs)
    with DevServer(memory=True, latency_ms=400) as server:
        env = {**_clean_env(), **server.env(), "NO_COLOR": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", "schedule", "--yes",
                                 "--concurrency", "1"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            poll(lambda: server.schedules() or proc.poll() is not None, "the first schedule",
                 wait_s=BOUND_S)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 130, (out, err)
        line = next(x for x in err.splitlines() if x.startswith("error: interrupted: "))
        done = int(line.split()[2])
        assert 1 <= done < 20 and line.endswith(f"{done} of 20 changes applied"), line
        assert "hint: run 'cronctl schedule' again to apply the rest" in err
        assert "Traceback" not in err
        again = subprocess.run([sys.executable, "-m", "cronctl", "schedule", "--yes"],
                               cwd=tmp_path, env=env, capture_output=True, text=True,
                               timeout=300)
        assert again.returncode == 0, again.stderr
        assert len(server.schedules()) == 20


def _clean_env() -> dict[str, str]:
    import os

    from tests.conftest import CLEARED_ENV

    return {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
