"""The official `qstash` SDK against `cronctl dev`: schedules CRUD and signature verification."""

from __future__ import annotations

import pytest
from qstash import QStash, Receiver
from qstash.errors import SignatureError

from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY


def test_sdk_creates_lists_gets_pauses_resumes_and_deletes(srv, receiver):
    client = QStash(srv.token, base_url=srv.url)
    dest = f"{receiver.url}/api/report"
    sid = client.schedule.create(
        destination=dest, cron="CRON_TZ=Europe/Lisbon 30 7 * * 1-5", body='{"n":1}',
        content_type="application/json", method="PUT", headers={"X-Tenant": "acme"},
        retries=5, retry_delay="pow(2, retried) * 1000", delay="2m", timeout=30,
        callback="https://hooks.example.com/ok", schedule_id="cronctl.acme.report",
        label="payments", flow_control={"key": "report", "parallelism": 2},
    )
    assert sid == "cronctl.acme.report"
    generated = client.schedule.create(destination=dest, cron="*/5 * * * *")
    assert generated.startswith("scd_")

    assert {s.schedule_id for s in client.schedule.list()} == {sid, generated}
    s = client.schedule.get(sid)
    assert (s.destination, s.cron, s.method, s.retries) == (
        dest, "CRON_TZ=Europe/Lisbon 30 7 * * 1-5", "PUT", 5)
    assert s.headers == {"X-Tenant": ["acme"], "Content-Type": ["application/json"]}
    assert s.body == '{"n":1}'
    assert (s.delay, s.timeout) == (120, 30)
    assert s.retry_delay_expression == "pow(2, retried) * 1000"
    assert s.callback == "https://hooks.example.com/ok"
    assert s.label == "payments"
    assert s.flow_control is not None and s.flow_control.parallelism == 2
    assert s.created_at == srv.now().timestamp() * 1000
    assert s.paused is False

    client.schedule.pause(sid)  # the SDK uses PATCH
    assert client.schedule.get(sid).paused is True
    client.schedule.resume(sid)
    assert client.schedule.get(sid).paused is False

    client.schedule.delete(sid)
    assert [x.schedule_id for x in client.schedule.list()] == [generated]
    assert client.signing_key.get().current == CURRENT_SIGNING_KEY


def test_receiver_verifies_the_signature_of_a_delivery(srv, receiver):
    client = QStash(srv.token, base_url=srv.url)
    dest = f"{receiver.url}/api/signed?tenant=acme"
    client.schedule.create(destination=dest, cron="0 9 * * *", body='{"hello":"world"}',
                           schedule_id="signed")
    srv.advance(3600)
    [got] = receiver.requests
    assert got.url == dest
    assert got.headers["upstash-schedule-id"] == "signed"
    assert got.headers["upstash-retried"] == "0"
    assert got.headers["upstash-message-id"].startswith("msg_")
    verifier = Receiver(CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY)
    verifier.verify(signature=got.headers["upstash-signature"], body=got.text, url=dest)
    with pytest.raises(SignatureError):
        verifier.verify(signature=got.headers["upstash-signature"], body='{"hello":"x"}',
                        url=dest)
    with pytest.raises(SignatureError):
        Receiver("sig_" + "w" * 28, "sig_" + "x" * 28).verify(
            signature=got.headers["upstash-signature"], body=got.text, url=dest)


def test_sdk_publish_events_and_dlq(srv, receiver):
    receiver.respond(500)
    client = QStash(srv.token, base_url=srv.url)
    res = client.message.publish(url=f"{receiver.url}/api/once", body="x", retries=0)
    srv.advance(0)
    logs = client.log.list().logs
    assert [e.state.value for e in logs] == ["FAILED", "ERROR", "ACTIVE", "CREATED"]
    assert {e.message_id for e in logs} == {res.message_id}
    [dead] = client.dlq.list().messages
    assert dead.message_id == res.message_id and dead.response_status == 500
    client.dlq.delete(dead.dlq_id)
    assert client.dlq.list().messages == []
