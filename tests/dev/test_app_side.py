"""Issue 33, item 2: the Python app of examples/app/python/app.py (the official `qstash` SDK's
Receiver for QStash, a bearer for Vercel and runner jobs) receives every job a real `cronctl
dev` and a second terminal send, and refuses what is not signed or not bearing CRON_SECRET."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import httpx
import pytest

from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY, TOKEN
from cronctl.dev.signing import sign
from cronctl.testing import Served
from tests.dev.conftest import cronctl, poll, second_terminal

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "app" / "python" / "app.py"
SECRET = "app-side-cron-secret-4242"

FILE = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  biz:
    tier: business
    path: /api/cron/biz
    schedule: "0 9 * * *"
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
def example_app(monkeypatch):
    """The example app, served on loopback with the variables its docs list."""
    monkeypatch.setenv("CRON_SECRET", SECRET)
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", CURRENT_SIGNING_KEY)
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", NEXT_SIGNING_KEY)
    spec = importlib.util.spec_from_file_location("cronctl_example_app", APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Served(module.app) as served:
        yield served


def test_the_python_app_verifies_every_delivery_of_cronctl_dev(tmp_path, example_app,
                                                                start_dev):
    (tmp_path / "schedules.yaml").write_text(FILE)
    dev = start_dev(tmp_path, "--memory", "--app-url", example_app.url, "--clock",
                    "frozen:2026-01-05T08:00:00Z", env=second_terminal(CRON_SECRET=SECRET))
    poll(lambda: "Plan:" in dev.log(), "the first apply")
    httpx.post(f"{dev.url}/_cronctl/advance?seconds=3600", trust_env=False, timeout=120,
               headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()  # 09:00

    def delivered() -> dict | None:
        out = cronctl(tmp_path, "logs", "--since", "24h", "--json", env=second_terminal())
        runs = {r["job"]: r for r in json.loads(out.stdout or "{}").get("runs", [])}
        return runs if {"biz", "beat"} <= set(runs) and all(
            runs[j]["state"] != "in-flight" for j in ("biz", "beat")) else None

    runs = poll(delivered, "the QStash and the Vercel job's runs")
    assert (runs["biz"]["state"], runs["biz"]["status"]) == ("delivered", 200), runs["biz"]
    assert (runs["beat"]["state"], runs["beat"]["status"]) == ("delivered", 200), runs["beat"]
    done = cronctl(tmp_path, "trigger", "tick", "--yes", "--wait", env=second_terminal())
    assert done.returncode == 0 and "delivered" in done.stdout, done.stdout + done.stderr


def test_the_python_app_refuses_what_is_not_signed_or_not_bearing_the_secret(example_app):
    url = f"{example_app.url}/api/cron/biz"
    body = b'{"run":1}'
    with httpx.Client(trust_env=False, timeout=30) as http:
        good = http.post(url, content=body,
                         headers={"Upstash-Signature": sign(CURRENT_SIGNING_KEY, url, body)})
        assert good.status_code == 200 and good.json()["by"] == "qstash"
        rotated = http.post(url, content=body,
                            headers={"Upstash-Signature": sign(NEXT_SIGNING_KEY, url, body)})
        assert rotated.status_code == 200  # the next key is accepted during a rotation
        forged = http.post(url, content=body,
                           headers={"Upstash-Signature": sign("sig_someone_else", url, body)})
        changed = http.post(url, content=b'{"run":2}',
                            headers={"Upstash-Signature": sign(CURRENT_SIGNING_KEY, url, body)})
        bearer = http.get(url, headers={"Authorization": f"Bearer {SECRET}"})
        wrong = http.get(url, headers={"Authorization": "Bearer not-the-secret"})
        bare = http.get(url)
    assert [forged.status_code, changed.status_code, wrong.status_code, bare.status_code] == \
        [401, 401, 401, 401]
    assert bearer.status_code == 200 and bearer.json() == {"job": "biz", "ok": True,
                                                           "by": "bearer"}
