"""A real `cronctl ui` (a subprocess, the console entry point) over a real `cronctl dev` and a
loopback app, shared by the UI tests of a session: jobs on QStash, Vercel and Kubernetes, a
locked job, a failing job whose app answers HTML, and a description that tries to inject it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cronctl.testing import DevServer, ReceiverApp

ADMIN = "admin-token-0123456789abcdef"
OPERATOR = "operator-token-0123456789abcd"
VIEWER = "viewer-token-0123456789abcdef"
RUNNER = "runner-token-0123456789abcdef"  # an operator only the rate-limit test uses
TOKENS = (f"ada:admin:{ADMIN}\nopal:operator:{OPERATOR}\nvic:viewer:{VIEWER}\n"
          f"rita:operator:{RUNNER}\n")
SECRET = "s3cret-cron-value-never-shown"
TRIGGER_LIMIT = 20  # manual runs per user and minute (the tests share one server)
INJECT = "<img id=pwn src=x onerror=alert(1)><b>bold</b>"

FILE = """\
# The UI test project: comments and layout must survive an edit.
version: 1
project: acme
base_url: {app}
defaults:
  headers:
    Authorization: Bearer ${{CRON_SECRET}}   # a forwarded secret
kubernetes:
  file: k8s/cronjobs.yaml
jobs:
  tick:
    tier: business
    path: /api/cron/tick
    schedule: "0 9 1 1 *"   # once a year: it never fires during a test
    labels: [billing]
    retries: 0
    description: "Ticks. {inject}"
  fails:
    tier: business
    path: /api/cron/fails
    schedule: "0 9 1 1 *"
    retries: 0
  frozen:
    tier: business
    path: /api/cron/frozen
    schedule: "0 9 1 1 *"
    locked: true
  cleanup:
    tier: infrastructure
    path: /api/cron/cleanup
    schedule: "0 3 * * *"
  nightly:
    target: runner
    path: /api/cron/nightly
    schedule: "0 9 1 1 *"
  report:
    target: kubernetes
    path: /api/cron/report
    schedule: "30 4 * * *"
    timezone: Europe/Berlin
"""


class App(ReceiverApp):
    """The loopback app: every job answers 200, except /api/cron/fails: 500 with `failure`
    (by default HTML that tries to inject itself into the page)."""

    failure = f"<h1>oops</h1>{INJECT}"

    async def _asgi(self, scope: dict, receive, send) -> None:
        if not scope["path"].endswith("/fails"):
            await super()._asgi(scope, receive, send)
            return
        while (await receive()).get("more_body"):
            pass
        body = self.failure.encode()
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"text/html"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Site:
    url: str
    folder: Path
    dev: DevServer
    app: ReceiverApp
    env: dict[str, str]
    proc: subprocess.Popen
    logs: tuple = ()  # the server's stdout and stderr files

    def client(self, token: str | None = ADMIN) -> httpx.Client:
        """An HTTP client signed in with `token` (None: not signed in)."""
        c = httpx.Client(base_url=self.url, trust_env=False, timeout=30,
                         follow_redirects=False)
        if token:
            r = c.post("/login", data={"token": token})
            assert r.status_code == 303, r.text
        return c

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=self.folder,
                              env=self.env, capture_output=True, text=True, timeout=120)


def start_site(folder: Path, dev: DevServer, app: ReceiverApp, *extra: str,
               text: str | None = None) -> Site:
    """schedules.yaml (`text`, `{app}` replaced; default FILE) synced to `dev`, and a
    `cronctl ui` subprocess over it."""
    folder.mkdir(parents=True, exist_ok=True)
    text = FILE.format(app=app.url, inject=INJECT) if text is None else \
        text.replace("{app}", app.url)
    (folder / "schedules.yaml").write_text(text)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QSTASH_", "CRONCTL_", "VERCEL_", "GITHUB_"))}
    env.update(dev.env(), CRON_SECRET=SECRET, NO_COLOR="1", CRONCTL_UI_TOKENS=TOKENS,
               CRONCTL_POLL_INTERVAL="0.1")
    site = Site("", folder, dev, app, env, None)  # type: ignore[arg-type]
    done = site.cli("schedule", "--yes")
    assert done.returncode == 0, done.stderr
    # Its output goes to files: a pipe nobody reads would block the server once full.
    out, err = (open(folder / name, "w+") for name in ("ui.out", "ui.err"))  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "cronctl", "ui", "--port", "0", "--refresh", "2",
         "--trigger-limit", str(TRIGGER_LIMIT), *extra],
        cwd=folder, env=env, stdout=out, stderr=err, text=True)
    deadline = time.monotonic() + 60
    while not (found := re.search(r"at (http://\S+?)/?$", _read(out), re.M)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"no URL: {_read(out)} {_read(err)}")
        time.sleep(0.05)
    site.url, site.proc, site.logs = found.group(1), proc, (out, err)
    return site


def _read(f) -> str:
    f.seek(0)
    return f.read()


def stop_site(site: Site) -> str:
    """Stop the server; returns what it printed (it must hold no secret)."""
    site.proc.terminate()
    try:
        site.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        site.proc.kill()
        site.proc.wait()
    printed = "".join(_read(f) for f in site.logs)
    for f in site.logs:
        f.close()
    return printed


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    """One dashboard per test session (per xdist worker), shared by every UI test module;
    the tests leave it usable for the others (e.g. a paused job is resumed)."""
    with App() as app, DevServer(memory=True, clock="wall") as dev:
        s = start_site(tmp_path_factory.mktemp("ui"), dev, app)
        try:
            yield s
        finally:
            err = stop_site(s)
            assert SECRET not in err and ADMIN not in err, err


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session (per xdist worker)."""
    from . import browser as chromium

    if not chromium.available():
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    driver = chromium.start()
    try:
        yield driver
    finally:
        chromium.stop(driver)
