"""The runner's watch (issue 28 items 5 and 6), all real parts: a `cronctl dev` (QStash, its
clock frozen and moved on through its control API) delivering to a loopback app, a `cronctl
run` watching it, apprise notifying a loopback webhook (json://), /metrics parsed with
prometheus_client's parser, the failover checked with the official qstash SDK's Receiver, and
two replicas on a real PostgreSQL. Every wait is on a condition."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from qstash import Receiver

from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY
from cronctl.testing import ReceiverApp
from tests.dev.conftest import second_terminal
from tests.dev.test_autoapply import cronctl_dev

from .test_commands import _port

SECRET = "watch-cron-secret-value"
START = "2026-01-05T08:00:00Z"
TICK = "cronctl.acme.tick"
WAIT_S = 120


def wait_for(check, what: str, wait_s: float = WAIT_S):
    deadline = time.monotonic() + wait_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def write_project(folder, hook: str) -> None:
    jobs = "".join(
        f"  {name}:\n    tier: business\n    path: /api/cron/{name}\n"
        f'    schedule: "*/5 * * * *"\n{extra}'
        for name, extra in (("tick", "    failover: runner\n"), ("steady", "")))
    (folder / "schedules.yaml").write_text(
        "version: 1\nproject: acme\nbase_url: ${APP_URL}\n"
        "defaults:\n  headers:\n    Authorization: Bearer ${CRON_SECRET}\n"
        f"runner:\n  notify: [\"{hook}\"]\n  watch: {{every: 5s, since: 2h}}\n"
        "jobs:\n" + jobs)


class Run:
    """`cronctl run` (watching) in the project folder."""

    def __init__(self, folder, app_url: str, **env: str) -> None:
        self.port = _port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cronctl", "run", "--listen", f"127.0.0.1:{self.port}"],
            cwd=folder, env=second_terminal(
                APP_URL=app_url, CRON_SECRET=SECRET,
                QSTASH_CURRENT_SIGNING_KEY=CURRENT_SIGNING_KEY,
                QSTASH_NEXT_SIGNING_KEY=NEXT_SIGNING_KEY, **env),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def metrics(self) -> dict[tuple, float]:
        try:
            text = httpx.get(f"http://127.0.0.1:{self.port}/metrics", trust_env=False).text
        except httpx.HTTPError:
            return {}
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for f in text_string_to_metric_families(text) for s in f.samples}

    def polls(self) -> float:
        assert self.proc.poll() is None, self.proc.stderr.read()
        return self.metrics().get(("cronctl_watch_polls_total", ()), 0)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=60)
        return out + err


@contextmanager
def scene(tmp_path):
    with ReceiverApp() as app, ReceiverApp() as hook:
        write_project(tmp_path, f"json://{hook.url.removeprefix('http://')}/hook")
        with cronctl_dev(tmp_path, "--clock", f"frozen:{START}", "--app-url", app.url,
                         env=second_terminal(CRON_SECRET=SECRET)) as dev:
            wait_for(lambda: TICK in dev.schedules(), "the file applied")
            dev.advance(3600)  # 08:00 -> 09:00: twelve healthy runs of each job
            yield app, hook, dev


def failovers(app) -> list:
    return [r for r in app.requests if r.headers.get("x-cronctl-triggered-by") == "failover"]


def problems(hook) -> list[dict]:
    import json

    return [json.loads(r.body) for r in hook.requests
            if json.loads(r.body).get("type") == "failure"]


def test_a_deleted_schedule_is_notified_once_and_failed_over_once_signed(tmp_path):
    with scene(tmp_path) as (app, hook, dev):
        total = lambda: dev.call("GET", "/_cronctl/stats").json()["total"]  # noqa: E731
        before = total()
        subprocess.run([sys.executable, "-m", "cronctl", "stats", "--since", "2h", "--json"],
                       cwd=tmp_path, capture_output=True, timeout=120, check=True,
                       env=second_terminal(APP_URL=app.url))
        per_stats = total() - before
        run = Run(tmp_path, app.url)
        try:
            wait_for(lambda: run.polls() >= 2, "two healthy polls")
            assert hook.requests == [] and failovers(app) == []  # healthy: no false alarm
            # a poll reads the providers no more than one `cronctl stats` does
            before, polls = total(), run.polls()
            wait_for(lambda: run.polls() >= polls + 3, "three more polls")
            spent, done = total() - before, run.polls() - polls
            assert spent <= (done + 1) * max(1, per_stats), (spent, done, per_stats)
            m = run.metrics()
            ok = ("cronctl_watch_slots", (("job", "tick"), ("state", "ok"),
                                          ("target", "qstash")))
            assert m[ok] >= 12

            # Deleted through QStash's own API, behind cronctl's back.
            assert dev.call("DELETE", f"/v2/schedules/{TICK}").status_code == 200
            dev.advance(300 + 61)  # 09:05 is due, and its minute of tolerance has passed
            wait_for(lambda: problems(hook), "the missed run notified")
            wait_for(lambda: failovers(app), "the failover")
            polls = run.polls()
            wait_for(lambda: run.polls() >= polls + 3, "three more polls")

            assert len(problems(hook)) == 1 and len(hook.requests) == 1
            told = problems(hook)[0]
            assert told["title"] == "cronctl: tick missed"
            assert "2026-01-05T09:05:00" in told["message"] and "not on QStash" in told["message"]
            [call] = failovers(app)
            assert call.path == "/api/cron/tick"
            assert call.headers["x-cronctl-run-id"] == "tick@2026-01-05T09:05:00Z"
            assert call.headers["authorization"] == f"Bearer {SECRET}"  # forwarded, as QStash
            Receiver(current_signing_key=CURRENT_SIGNING_KEY,
                     next_signing_key=NEXT_SIGNING_KEY).verify(
                signature=call.headers["upstash-signature"], body=call.text, url=call.url)
            m = run.metrics()
            assert m[("cronctl_failover_runs_total", (("job", "tick"),
                                                      ("outcome", "succeeded")))] == 1
            assert m[("cronctl_watch_episode_open", (("job", "tick"),
                                                     ("target", "qstash")))] == 1
            assert m[("cronctl_watch_episode_open", (("job", "steady"),
                                                     ("target", "qstash")))] == 0
        finally:
            log = run.stop()
        assert SECRET not in log and CURRENT_SIGNING_KEY not in log

        # `cronctl verify` sees the failover run in the slot QStash missed
        done = subprocess.run([sys.executable, "-m", "cronctl", "verify", "tick", "--json",
                               "--since", "1h"], cwd=tmp_path, capture_output=True,
                              text=True, env=second_terminal(APP_URL=app.url), timeout=120)
        import json

        tick = json.loads(done.stdout)["jobs"][0]
        assert done.returncode == 0 and tick["counts"]["missed"] == 0, done.stdout
        [late] = tick["problems"]  # not a problem: listed as the one slot not ok
        assert late["state"] == "late" and late["run_ids"] == ["tick@2026-01-05T09:05:00Z"]
        assert "failover ran it" in late["note"]


@pytest.mark.usefixtures("pg_server")
def test_two_replicas_on_postgresql_notify_once_and_fail_over_once(tmp_path, pg_url):
    with scene(tmp_path) as (app, hook, dev):
        runs = [Run(tmp_path, app.url, CRONCTL_DATABASE_URL=pg_url) for _ in range(2)]
        try:
            wait_for(lambda: all(r.polls() >= 1 for r in runs), "both replicas watching")
            assert hook.requests == []
            # Paused through QStash's own API this time.
            assert dev.call("POST", f"/v2/schedules/{TICK}/pause").status_code == 200
            dev.advance(300 + 61)
            wait_for(lambda: problems(hook) and failovers(app), "the notice and the failover")
            polls = [r.polls() for r in runs]
            wait_for(lambda: all(r.polls() >= p + 3 for r, p in zip(runs, polls, strict=True)),
                     "three more polls on each replica")
            assert len(problems(hook)) == 1 and len(hook.requests) == 1
            assert "paused on QStash" in problems(hook)[0]["message"]
            assert len(failovers(app)) == 1
        finally:
            for r in runs:
                r.stop()
