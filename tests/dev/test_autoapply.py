"""`cronctl dev` runs it all: it applies schedules.yaml at start and on every edit, delivers every
job to one --app-url, and commands in another terminal find it (and its frozen clock). The real
`cronctl dev` runs as a subprocess on loopback; the app is a real receiving server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.testing import DevServer, ReceiverApp
from tests.dev.conftest import poll
from tests.dev.conftest import second_terminal as clean_env

SECRET = "dev-cron-secret-value"
FROZEN = "2026-01-05T08:00:00Z"


def config(jobs: str, base_url: str = "${APP_URL}") -> str:
    return ("version: 1\nproject: acme\n"
            f"base_url: {base_url}\n"
            "defaults:\n  headers:\n    Authorization: Bearer ${CRON_SECRET}\n"
            "jobs:\n" + jobs)


def business(name: str, schedule: str = "0 9 * * *") -> str:
    return (f"  {name}:\n    tier: business\n    path: /api/cron/{name}\n"
            f'    schedule: "{schedule}"\n')


def infra(name: str, schedule: str = "0 6 * * *") -> str:
    return (f"  {name}:\n    tier: infrastructure\n    path: /api/cron/{name}\n"
            f'    schedule: "{schedule}"\n')


class Dev:
    def __init__(self, proc: subprocess.Popen, folder: Path, log: Path) -> None:
        self.proc, self.folder, self.log_path = proc, folder, log
        state = folder / ".cronctl" / "dev.json"
        self.info = json.loads(poll(lambda: state.exists() and state.read_text(), "dev.json"))
        self.url = self.info["url"]

    def log(self) -> str:
        return self.log_path.read_text()

    def call(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.url + path, timeout=10,
                             headers={"Authorization": f"Bearer {TOKEN}"}, **kw)

    def schedules(self) -> dict[str, dict]:
        return {s["scheduleId"]: s for s in self.call("GET", "/_cronctl/schedules").json()}

    def advance(self, seconds: float) -> None:
        self.call("POST", f"/_cronctl/advance?seconds={seconds}").raise_for_status()


@contextmanager
def cronctl_dev(folder: Path, *args: str, env: dict[str, str]) -> Iterator[Dev]:
    log = folder / "dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", "dev", "--memory", "--port",
                                 "0", *args], cwd=folder, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield Dev(proc, folder, log)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert not (folder / ".cronctl" / "dev.json").exists()  # gone with the server


def cli(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def app() -> Iterator[ReceiverApp]:
    with ReceiverApp() as receiver:
        yield receiver


def test_dev_applies_the_file_at_start_and_again_after_an_edit(tmp_path, app):
    path = tmp_path / "schedules.yaml"
    path.write_text(config(business("a") + business("b")))
    env = clean_env(CRON_SECRET=SECRET)
    with cronctl_dev(tmp_path, "--app-url", app.url, env=env) as dev:
        poll(lambda: set(dev.schedules()) == {"cronctl.acme.a", "cronctl.acme.b"}, "first apply")
        assert "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged." in dev.log()
        path.write_text(config(business("a", "30 7 * * *") + business("c")))
        poll(lambda: set(dev.schedules()) == {"cronctl.acme.a", "cronctl.acme.c"}, "re-apply")
        assert dev.schedules()["cronctl.acme.a"]["cron"] == "30 7 * * *"
        poll(lambda: "Plan: 1 to create, 1 to update, 1 to delete" in dev.log(), "the plan")
        assert SECRET not in dev.log()
        # A broken edit is reported and changes nothing; the fix is applied.
        path.write_text(config(business("a", "30 7 * * *") + "  c: [oops]\n"))
        poll(lambda: "not applied (exit 2)" in dev.log(), "the broken file reported")
        assert set(dev.schedules()) == {"cronctl.acme.a", "cronctl.acme.c"}
        path.write_text(config(business("a", "30 7 * * *")))
        poll(lambda: set(dev.schedules()) == {"cronctl.acme.a"}, "the fix applied")
        assert dev.proc.poll() is None  # still serving
        # The file is applied, not written: no vercel.json appears.
        assert not (tmp_path / "vercel.json").exists()


def test_no_apply_keeps_the_server_empty(tmp_path, app):
    (tmp_path / "schedules.yaml").write_text(config(business("a")))
    with cronctl_dev(tmp_path, "--no-apply", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        assert dev.call("GET", "/_cronctl/clock").status_code == 200  # it is up
        assert dev.schedules() == {}
        assert "applying" not in dev.log()


def test_one_app_url_receives_qstash_and_vercel_jobs_and_vercel_jobs_follow_edits(
        tmp_path, app):
    path = tmp_path / "schedules.yaml"
    # base_url names the deployed app: --app-url still receives every delivery.
    path.write_text(config(business("biz", "0 9 * * *") + infra("beat", "0 9 * * *"),
                           base_url="https://app.example.com"))
    env = clean_env(CRON_SECRET=SECRET)
    with cronctl_dev(tmp_path, "--app-url", app.url, "--clock", f"frozen:{FROZEN}",
                     env=env) as dev:
        poll(lambda: dev.schedules(), "first apply")
        stored = dev.schedules()["cronctl.acme.biz"]["destination"]
        assert stored == "https://app.example.com/api/cron/biz"  # no drift for `cronctl diff`
        dev.advance(3600)  # 09:00: both fire
        poll(lambda: {r.path for r in app.requests} >= {"/api/cron/biz", "/api/cron/beat"},
             "both deliveries")
        by_path = {r.path: r for r in app.requests}
        assert by_path["/api/cron/biz"].method == "POST"
        assert by_path["/api/cron/biz"].headers["authorization"] == f"Bearer {SECRET}"
        assert by_path["/api/cron/beat"].headers["user-agent"].startswith("vercel-cron")
        # An edited Vercel schedule fires on its new time, a new Vercel job starts.
        path.write_text(config(business("biz", "0 9 * * *") + infra("beat", "30 9 * * *")
                               + infra("beat2", "30 9 * * *"), base_url="https://app.example.com"))
        poll(lambda: "Vercel cron job(s) now fire" in dev.log(), "the Vercel jobs reloaded")
        before = len(app.requests)
        dev.advance(1800)  # 09:30
        poll(lambda: {r.path for r in app.requests[before:]} >= {"/api/cron/beat",
                                                                 "/api/cron/beat2"},
             "the edited and the new Vercel job")


def test_commands_find_the_dev_server_and_a_set_token_wins(tmp_path, app):
    (tmp_path / "schedules.yaml").write_text(config(business("a") + business("b")))
    with cronctl_dev(tmp_path, "--app-url", app.url, env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: len(dev.schedules()) == 2, "first apply")
        # A second terminal: nothing exported (no CRON_SECRET, no APP_URL, no QStash).
        found = cli(tmp_path, "list", "--json", env=clean_env())
        assert found.returncode == 0, found.stderr
        assert f"using cronctl dev at {dev.url}" in found.stderr
        rows = {r["name"]: r["status"] for r in json.loads(found.stdout)["jobs"]}
        assert rows == {"a": "in sync", "b": "in sync"}
        assert SECRET not in found.stdout + found.stderr
        assert cli(tmp_path, "stats", "--json", env=clean_env()).returncode == 0
        # A command that reads only the file does not ask the server.
        local = cli(tmp_path, "next", "a", env=clean_env())
        assert local.returncode == 0 and "using cronctl dev" not in local.stderr
        # A set QSTASH_TOKEN always wins: here it names another (empty) QStash.
        with DevServer(memory=True) as other:
            chosen = cli(tmp_path, "list", "--json",
                         env=clean_env(CRON_SECRET=SECRET, APP_URL=app.url, **other.env()))
            assert chosen.returncode == 0, chosen.stderr
            assert "using cronctl dev" not in chosen.stderr
            rows = {r["name"]: r["status"] for r in json.loads(chosen.stdout)["jobs"]}
            assert rows == {"a": "missing", "b": "missing"}
    # The server is gone: nothing is discovered any more.
    gone = cli(tmp_path, "list", env=clean_env(CRON_SECRET=SECRET, APP_URL="https://x.test"))
    assert gone.returncode == 2 and "QSTASH_TOKEN is not set" in gone.stderr


def test_commands_use_the_frozen_clock_of_the_server(tmp_path, app):
    (tmp_path / "schedules.yaml").write_text(config(business("every15", "*/15 * * * *")))
    with cronctl_dev(tmp_path, "--app-url", app.url, "--clock", f"frozen:{FROZEN}",
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: dev.schedules(), "first apply")
        dev.advance(3 * 3600)  # 12 runs between 08:00 and 11:00 (server time)
        poll(lambda: len(app.requests) >= 12, "12 deliveries")
        last_hour = json.loads(cli(tmp_path, "stats", "--since", "1h", "--json",
                                   env=clean_env()).stdout)
        runs = last_hour["summary"]["runs"]
        assert 4 <= runs <= 5, last_hour  # 10:00 .. 11:00 by the server's clock
        day = json.loads(cli(tmp_path, "stats", "--since", "24h", "--json",
                             env=clean_env()).stdout)
        assert day["summary"]["runs"] == len(app.requests)
        listed = json.loads(cli(tmp_path, "list", "--json", env=clean_env()).stdout)
        assert listed["jobs"][0]["next_run"].startswith("2026-01-05T11:15")
