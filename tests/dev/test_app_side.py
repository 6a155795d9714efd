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
PROJECT = ROOT / "examples" / "app" / "schedules.yaml"
BOUND_S = 120.0  # a generous bound on each wait (a busy machine), never a speed
SECRET = "app-side-cron-secret-4242"
OTHER_KEY = "sig_someone_elses_signing_key_0000"  # not this QStash's



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
    (tmp_path / "schedules.yaml").write_bytes(PROJECT.read_bytes())
    dev = start_dev(tmp_path, "--memory", "--app-url", example_app.url, "--clock",
                    "frozen:2026-01-05T08:00:00Z", env=second_terminal(CRON_SECRET=SECRET))
    poll(lambda: "Applied " in dev.log(), "the first apply", wait_s=BOUND_S)
    httpx.post(f"{dev.url}/_cronctl/advance?seconds=3600", trust_env=False, timeout=120,
               headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()  # 09:00

    def delivered() -> dict | None:
        out = cronctl(tmp_path, "logs", "--since", "24h", "--json", env=second_terminal())
        runs = {r["job"]: r for r in json.loads(out.stdout or "{}").get("runs", [])}
        return runs if {"biz", "beat"} <= set(runs) and all(
            runs[j]["state"] != "in-flight" for j in ("biz", "beat")) else None

    runs = poll(delivered, "the QStash and the Vercel job's runs", wait_s=BOUND_S)
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
                           headers={"Upstash-Signature": sign(OTHER_KEY, url, body)})
        changed = http.post(url, content=b'{"run":2}',
                            headers={"Upstash-Signature": sign(CURRENT_SIGNING_KEY, url, body)})
        bearer = http.get(url, headers={"Authorization": f"Bearer {SECRET}"})
        wrong = http.get(url, headers={"Authorization": "Bearer not-the-secret"})
        bare = http.get(url)
    assert [forged.status_code, changed.status_code, wrong.status_code, bare.status_code] == \
        [401, 401, 401, 401]
    assert bearer.status_code == 200 and bearer.json() == {"job": "biz", "ok": True,
                                                           "by": "bearer"}


def test_the_nextjs_routes_committed_check_is_current_and_passed():
    """examples/app/nextjs/route.ts is checked against a real `cronctl dev` with the official
    @upstash/qstash by scripts/app-side-node.py (npm and node: a developer tool); its result is
    committed beside the route. Editing the route without running the script again fails here."""
    import hashlib

    route = ROOT / "examples" / "app" / "nextjs" / "route.ts"
    result = json.loads((route.parent / "verified.json").read_text())
    assert result["route_sha256"] == hashlib.sha256(route.read_bytes()).hexdigest(), \
        "route.ts changed since it was checked: run scripts/app-side-node.py and commit " \
        "examples/app/nextjs/verified.json"
    assert result["failed"] == 0 and result["passed"] == len(result["checks"])
    assert "@upstash/qstash" in result["packages"]
    names = " / ".join(c["check"] for c in result["checks"])
    for needed in ("verified by the Receiver", "Vercel Cron job delivered with the bearer",
                   "runner trigger", "signed with another key", "body changed",
                   "wrong bearer", "no signature, no bearer"):
        assert needed in names
    assert all(c["ok"] and c["got"] == c["expected"] for c in result["checks"])
