"""Failover calls as each provider makes them (targets' Deliverable), sent over real HTTP to a
loopback app: Vercel's cron request with the CRON_SECRET bearer; QStash's signed delivery,
accepted by the official qstash SDK's Receiver (and refused when the body is changed)."""

from __future__ import annotations

import pytest
from qstash import Receiver
from qstash.errors import SignatureError

from cronctl.app import State
from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY
from cronctl.engine import target_for
from cronctl.errors import UsageError
from cronctl.targets.capabilities import Deliverable
from cronctl.targets.runner.watch import send
from cronctl.testing import ReceiverApp

SLOT = 1772420400000  # 2026-03-02T03:00:00Z
RID = "sync@2026-03-02T03:00:00Z"
FILE = """\
version: 1
project: acme
base_url: {app}
jobs:
  sync:
    tier: {tier}
    path: /api/cron/sync
    schedule: "0 3 * * *"
    failover: runner
{extra}"""


def target(write_config, app, tier: str, extra: str = ""):
    from cronctl.config.load import load_config

    path = write_config(FILE.format(app=app.url, tier=tier, extra=extra))
    state = State(config=str(path))
    config = load_config(path, {})
    job = config.job("sync")
    t = target_for(config, state, job)
    assert isinstance(t, Deliverable)
    return t, job


def test_a_vercel_failover_is_vercels_cron_request_with_the_bearer(write_config):
    with ReceiverApp() as app:
        t, job = target(write_config, app, "infrastructure")
        request = t.delivery(job, slot_ms=SLOT, run_id=RID, env={"CRON_SECRET": "cs-value-1"})
        assert "cs-value-1" not in repr(request)  # a Secret until it is sent
        assert send(request)[0] == 200
        [got] = app.requests
        assert (got.method, got.path) == ("GET", "/api/cron/sync")
        assert got.headers["authorization"] == "Bearer cs-value-1"
        assert got.headers["user-agent"] == "vercel-cron/1.0"
        assert got.headers["x-vercel-cron-schedule"] == "0 3 * * *"
        assert got.headers["x-cronctl-run-id"] == RID
        assert got.headers["x-cronctl-triggered-by"] == "failover"
        with pytest.raises(UsageError, match="CRON_SECRET"):
            t.delivery(job, slot_ms=SLOT, run_id=RID, env={})


def test_a_qstash_failover_is_signed_so_the_official_receiver_accepts_it(write_config):
    with ReceiverApp() as app:
        t, job = target(write_config, app, "business",
                        '    body: {"full": true}\n    headers: {X-Team: billing}\n')
        keys = {"QSTASH_CURRENT_SIGNING_KEY": CURRENT_SIGNING_KEY}
        request = t.delivery(job, slot_ms=SLOT, run_id=RID, env=keys)
        assert CURRENT_SIGNING_KEY not in repr(request)
        assert send(request)[0] == 200
        [got] = app.requests
        assert got.method == "POST" and got.headers["x-team"] == "billing"
        assert got.headers["upstash-schedule-id"] == "cronctl.acme.sync"
        assert got.headers["x-cronctl-run-id"] == RID
        receiver = Receiver(current_signing_key=CURRENT_SIGNING_KEY,
                            next_signing_key=NEXT_SIGNING_KEY)
        receiver.verify(signature=got.headers["upstash-signature"], body=got.text, url=got.url)
        with pytest.raises(SignatureError):  # a changed body: refused
            receiver.verify(signature=got.headers["upstash-signature"], body=got.text + " ",
                            url=got.url)
        with pytest.raises(UsageError, match="QSTASH_CURRENT_SIGNING_KEY"):
            t.delivery(job, slot_ms=SLOT, run_id=RID, env={})
