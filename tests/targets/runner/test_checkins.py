"""Check-ins (issue 28 item 3): pings in the Healthchecks.io protocol to a real `cronctl run`,
from `curl` and from a Healthchecks client library off PyPI (healthchecks-decorator), bad
input refused and never recorded, and the runner firing on through a flood."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from cronctl.targets.runner import checkins
from cronctl.targets.runner.ledger import Ledger
from cronctl.testing import ReceiverApp

from .conftest import runner_file
from .test_commands import _env, _port

KEY = "pk-" + "x7Qe9vR2" * 3
JOBS = """
    tick:
      target: runner
      path: /api/cron/tick
      schedule: "@every 1s"
    nightly:
      target: vercel
      path: /api/cron/nightly
      schedule: "* * * * *"
"""


class Running:
    def __init__(self, folder, app) -> None:
        self.port = _port()
        runner_file(folder, JOBS, base_url=app.url,
                    runner="ping_key: ${CRONCTL_PING_KEY}")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cronctl", "run", "--listen", f"127.0.0.1:{self.port}"],
            cwd=folder, env=_env(CRONCTL_PING_KEY=KEY), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.base + "/healthz", trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and self.proc.poll() is None
            time.sleep(0.1)
        self.db = Ledger(str(folder / ".cronctl/runner.sqlite3"))

    def url(self, tail: str, key: str = KEY) -> str:
        return f"{self.base}/ping/{key}/{tail}"

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err
        return out + err

    def pings(self) -> list[tuple]:
        return self.db._query("SELECT job, kind, run_id, exit_code, body FROM checkins "
                              "ORDER BY at, ping_id")


@pytest.fixture
def running(tmp_path):
    with ReceiverApp() as app:
        r = Running(tmp_path, app)
        r.app = app
        try:
            yield r
        finally:
            if r.proc.poll() is None:
                r.stop()


def curl(*args: str) -> tuple[int, str]:
    """(HTTP status, body) of one curl call (the real binary)."""
    assert shutil.which("curl"), "curl is missing: scripts/test installs it"
    proc = subprocess.run(["curl", "-sS", "-m", "30", "-o", "-", "-w", "\n%{http_code}",
                           *args], capture_output=True, text=True, timeout=60)
    body, _, code = proc.stdout.rpartition("\n")
    return int(code), body


def test_curl_pings_are_recorded_as_healthchecks_defines_them(running):
    rid = str(uuid.uuid4())
    assert curl(running.url(f"nightly/start?rid={rid}")) == (200, "OK\n")
    assert curl("-X", "POST", "--data-binary", "12 rows\n",
                running.url(f"nightly/0?rid={rid}")) == (200, "OK\n")
    assert curl("-I", running.url("nightly/fail"))[0] == 200  # HEAD
    assert curl(running.url("nightly/3"))[0] == 200
    assert curl(running.url("nightly/log"))[0] == 200
    assert curl(running.url("nightly"))[0] == 200
    assert running.pings() == [
        ("nightly", "start", rid, None, None), ("nightly", "success", rid, 0, "12 rows\n"),
        ("nightly", "fail", None, None, None), ("nightly", "fail", None, 3, None),
        ("nightly", "log", None, None, None), ("nightly", "success", None, None, None)]
    log = running.stop()
    assert KEY not in log and "check-in: nightly start" in log


def test_a_healthchecks_client_library_checks_in(running):
    healthcheck = pytest.importorskip("healthchecks_decorator").healthcheck

    @healthcheck(url=running.url("nightly"), send_start=True)
    def works() -> str:
        return "done"

    @healthcheck(url=running.url("nightly"), send_start=True)
    def breaks() -> None:
        raise RuntimeError("boom")

    assert works() == "done"
    with pytest.raises(RuntimeError):
        breaks()
    assert [p[:2] for p in running.pings()] == [
        ("nightly", "start"), ("nightly", "success"), ("nightly", "start"), ("nightly", "fail")]
    runs = checkins.observations(checkins.rows(running.db, ["nightly"], since_ms=0,
                                               until_ms=2**62))
    assert sorted(r.outcome for r in runs) == ["failed", "ok"]
    assert all(r.started_ms <= r.ended_ms for r in runs)


def test_bad_pings_are_refused_and_nothing_is_recorded(running, tmp_path):
    assert curl(running.url("nightly", key="pk-wrong-key-0000000000"))[0] == 401
    assert curl(running.url("nightly", key=KEY + "x"))[0] == 401
    assert curl(running.url("nobody"))[0] == 404
    assert curl(running.url("nightly?rid=" + "%27%3B%20DROP%20TABLE"))[0] == 400
    assert curl(running.url("nightly?rid=" + "a" * 300))[0] == 400
    assert curl(running.url("nightly/256"))[0] == 400
    assert curl(running.url("nightly/start/extra"))[0] == 400
    big = tmp_path / "big"
    big.write_bytes(b"x" * (checkins.MAX_BODY + 1))
    assert curl("-H", "Expect:", "--data-binary", f"@{big}", running.url("nightly"))[0] == 413
    assert running.pings() == []
    log = running.stop()
    assert KEY not in log and "wrong ping key" in log


def test_a_flood_is_refused_with_429_and_the_runner_fires_on(running):
    before = len(running.app.requests)
    codes = []
    with httpx.Client(trust_env=False) as client:
        for _ in range(400):
            codes.append(client.get(running.url("nightly")).status_code)
            if codes.count(429) >= 20:
                break
    assert codes.count(429) >= 20 and set(codes) <= {200, 429}
    assert len(running.pings()) == codes.count(200)  # a refused ping leaves no row
    deadline = time.monotonic() + 60
    while len(running.app.requests) < before + 3:  # the scheduler kept firing `tick`
        assert time.monotonic() < deadline, "the runner stopped firing during the flood"
        time.sleep(0.1)
    assert running.proc.poll() is None


def test_observations_pair_starts_and_ends_and_name_the_slot():
    R = checkins.Row
    found = [R("a", "n", None, "start", None, 1000), R("b", "n", None, "success", None, 1500),
             R("c", "n", "n@2026-03-02T03:00:00Z", "start", None, 2000),
             R("d", "n", None, "start", None, 2500), R("e", "n", None, "fail", 1, 3000),
             R("f", "n", "n@2026-03-02T03:00:00Z", "success", 0, 4000),
             R("g", "n", None, "log", None, 4500), R("h", "n", None, "start", None, 5000)]
    runs = sorted(checkins.observations(found), key=lambda o: o.started_ms)
    assert [(o.started_ms, o.ended_ms, o.outcome, o.run_id) for o in runs] == [
        (1000, 1500, "ok", None), (2000, 4000, "ok", "n@2026-03-02T03:00:00Z"),
        (2500, 3000, "failed", None), (5000, None, "running", None)]
    assert runs[1].slot_ms == 1772420400000 and runs[0].slot_ms is None
    assert checkins.slot_of("other", "n@2026-03-02T03:00:00Z") is None


def test_verify_observes_a_vercel_job_through_its_check_ins(running, tmp_path):
    import json
    from datetime import UTC, datetime

    slot = datetime.now(UTC).replace(second=0, microsecond=0)
    rid = f"nightly@{slot:%Y-%m-%dT%H:%M:%SZ}"
    assert curl(running.url(f"nightly/start?rid={rid}"))[0] == 200
    assert curl(running.url(f"nightly?rid={rid}"))[0] == 200
    done = subprocess.run([sys.executable, "-m", "cronctl", "verify", "nightly", "--json",
                           "--since", "3m"], cwd=tmp_path, capture_output=True, text=True,
                          env=_env(CRONCTL_PING_KEY=KEY), timeout=120)
    assert done.returncode in (0, 1), done.stderr
    [job] = json.loads(done.stdout)["jobs"]
    assert job["unobservable"] is None  # observed: through the check-ins
    assert job["counts"]["ok"] >= 1
    assert KEY not in done.stdout + done.stderr
