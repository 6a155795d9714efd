"""Contract: messages through the official `qstash` SDK (what the SDK suites taught).

Publish to a URL or a URL group, get and cancel, batch, Not-Before, deduplication, bodies that
are bytes, redaction, labels. Real HTTP against `cronctl dev` on a frozen clock.
"""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import pytest
from qstash import QStash
from qstash.errors import QStashError
from qstash.message import BatchRequest

from cronctl.testing import DevServer, ReceiverApp


@pytest.fixture
def client(srv: DevServer) -> QStash:
    return QStash(srv.token, base_url=srv.url)


def _states(srv: DevServer, message_id: str) -> list[str]:
    return [e["state"] for e in reversed(srv.events(messageId=message_id))]


def test_a_pending_message_can_be_read_and_cancelled(srv, client, receiver):
    res = client.message.publish(url=f"{receiver.url}/later", body="b", delay="1h",
                                 label="billing", headers={"X-A": "1"})
    msg = client.message.get(res.message_id)
    assert (msg.url, msg.body, msg.label, msg.method) == (f"{receiver.url}/later", "b",
                                                         "billing", "POST")
    assert msg.headers == {"X-A": ["1"]}
    assert msg.not_before == srv.now().timestamp() * 1000 + 3600_000
    client.message.cancel(res.message_id)
    with pytest.raises(QStashError, match="404"):
        client.message.get(res.message_id)
    with pytest.raises(QStashError, match="404"):
        client.message.cancel(res.message_id)
    srv.advance(7200)
    assert receiver.requests == []
    assert _states(srv, res.message_id) == ["CREATED", "CANCEL_REQUESTED", "CANCELED"]


def test_cancel_many_and_cancel_all(srv, client, receiver):
    ids = [client.message.publish(url=f"{receiver.url}/{i}", delay="1h").message_id
           for i in range(4)]
    assert client.message.cancel_many(ids[:2]) == 2
    assert client.message.cancel_all() == 2
    assert srv.advance(7200)["attempts"] == 0


def test_batch_publishes_each_message_with_its_own_settings(srv, client, receiver):
    client.url_group.upsert_endpoints("grp", [{"url": f"{receiver.url}/g1", "name": "one"},
                                              {"url": f"{receiver.url}/g2"}])
    res = client.message.batch([
        BatchRequest(url=f"{receiver.url}/a", body="A", headers={"X-N": "1"}, retries=0),
        BatchRequest(url_group="grp", body="G", method="PUT"),
    ])
    assert len(res) == 2 and isinstance(res[1], list) and len(res[1]) == 2
    assert {r.url for r in res[1]} == {f"{receiver.url}/g1", f"{receiver.url}/g2"}
    srv.advance(0)
    got = {r.path: r for r in receiver.requests}
    assert got["/a"].body == b"A" and got["/a"].headers["x-n"] == "1"
    assert got["/g1"].method == "PUT" and got["/g2"].body == b"G"
    assert got["/g1"].headers["upstash-topic-name"] == "grp"


def test_not_before_holds_the_message_until_then(srv, client, receiver):
    at = int(srv.now().timestamp()) + 600
    res = client.message.publish(url=f"{receiver.url}/nb", body="x", not_before=at)
    assert client.message.get(res.message_id).not_before == at * 1000
    srv.advance(599)
    assert receiver.requests == []
    srv.advance(1)
    assert [r.path for r in receiver.requests] == ["/nb"]


def test_deduplication_by_id_and_by_content(srv, client, receiver):
    first = client.message.publish(url=f"{receiver.url}/d", body="x", deduplication_id="k1")
    again = client.message.publish(url=f"{receiver.url}/d", body="x", deduplication_id="k1")
    assert (first.deduplicated, again.deduplicated) == (False, True)
    assert again.message_id == first.message_id
    a = client.message.publish(url=f"{receiver.url}/c", body="same",
                               content_based_deduplication=True)
    b = client.message.publish(url=f"{receiver.url}/c", body="same",
                               content_based_deduplication=True)
    c = client.message.publish(url=f"{receiver.url}/c", body="other",
                               content_based_deduplication=True)
    assert b.deduplicated and b.message_id == a.message_id and not c.deduplicated
    srv.advance(0)
    assert sorted(r.path for r in receiver.requests) == ["/c", "/c", "/d"]


def test_a_body_that_is_not_utf8_arrives_unchanged_and_is_listed_in_base64(srv, client,
                                                                            receiver):
    raw = bytes(range(256))
    res = client.message.publish(url=f"{receiver.url}/bin", body=raw, delay=60,
                                 content_type="application/octet-stream")
    msg = client.message.get(res.message_id)
    assert msg.body is None and base64.b64decode(msg.body_base64) == raw
    srv.advance(60)
    [got] = receiver.requests
    assert got.body == raw
    [created] = [e for e in client.log.list(filter={"message_id": res.message_id}).logs
                 if e.state.value == "CREATED"]
    assert base64.b64decode(created.body_base64) == raw


def test_redacted_fields_show_a_sha256_in_listings_and_logs(srv, client, receiver):
    res = client.message.publish(url=f"{receiver.url}/r", body="secret-body", delay=60,
                                 headers={"Authorization": "Bearer s3cret", "X-Keep": "v"},
                                 redact={"body": True, "header": ["Authorization"]})
    msg = client.message.get(res.message_id)
    assert msg.body == "REDACTED:" + hashlib.sha256(b"secret-body").hexdigest()
    assert msg.headers["Authorization"] == [
        "REDACTED:" + hashlib.sha256(b"Bearer s3cret").hexdigest()]
    assert msg.headers["X-Keep"] == ["v"]
    srv.advance(60)
    [got] = receiver.requests
    assert got.body == b"secret-body" and got.headers["authorization"] == "Bearer s3cret"
    for log in client.log.list(filter={"message_id": res.message_id}).logs:
        assert "s3cret" not in str(log.headers) and b"secret-body" not in base64.b64decode(
            log.body_base64)


def test_labels_give_the_first_as_label_and_all_as_labels(srv, api, receiver):
    receiver.respond(500)
    res = api.request("POST", f"/v2/publish/{receiver.url}/l",
                      headers={"Upstash-Label": "a,b", "Upstash-Retries": "0"}).json()
    srv.advance(0)
    for entry in (*srv.events(messageId=res["messageId"]), *srv.dlq()):
        assert (entry["label"], entry["labels"]) == ("a", ["a", "b"])
    for label in ("a", "b"):
        assert len(api.get("/v2/dlq", params={"label": label}).json()["messages"]) == 1
    assert api.get("/v2/dlq", params={"label": "c"}).json()["messages"] == []


def test_publish_to_an_unknown_url_group_is_404(client):
    with pytest.raises(QStashError, match="404"):
        client.message.publish(url_group="nope", body="x")


def test_deliveries_carry_the_caller_ip_and_the_qstash_token_parameter_authenticates(
        srv, receiver):
    r = httpx.post(f"{srv.url}/v2/publish/{receiver.url}/t?x=1&qstash_token={srv.token}",
                   content=b"q", trust_env=False)
    assert r.status_code == 200, r.text
    srv.advance(0)
    [got] = receiver.requests
    assert got.url == f"{receiver.url}/t?x=1"  # the token is not forwarded
    assert got.headers["upstash-caller-ip"] == "127.0.0.1"
    bad = httpx.post(f"{srv.url}/v2/publish/{receiver.url}/t",
                     params={"qstash_token": "wrong"}, trust_env=False)
    assert bad.status_code == 401


def test_callbacks_carry_the_destinations_response_headers(srv, client):
    with ReceiverApp() as app, ReceiverApp() as hooks:
        client.message.publish(url=f"{app.url}/x", body="b", callback=f"{hooks.url}/cb",
                               callback_headers={"X-Cb": "yes"})
        srv.advance(0)
        [cb] = hooks.requests
        payload = json.loads(cb.body)
        assert payload["header"]["Content-Type"] == ["text/plain"]
        assert cb.headers["x-cb"] == "yes"
