"""Contract: logs and the DLQ through the official `qstash` SDK and raw HTTP where the Python SDK
has no call (DLQ retry, repeated filters, bulk by query), plus signing-key rotation."""

from __future__ import annotations

import base64

import pytest
from qstash import QStash, Receiver
from qstash.log import LogState

from cronctl.testing import DevServer, ReceiverApp


@pytest.fixture
def client(srv: DevServer) -> QStash:
    return QStash(srv.token, base_url=srv.url)


def _fail_three(client: QStash, url: str) -> list[str]:
    return [client.message.publish(url=f"{url}/p{i}", body=f"b{i}", retries=0,
                                   label=f"l{i}").message_id for i in range(3)]


def test_log_entries_carry_headers_body_and_retry_expression(srv, client, receiver):
    res = client.message.publish(url=f"{receiver.url}/x", body="hello", retry_delay="15000",
                                 headers={"X-T": "1"})
    srv.advance(0)
    logs = client.log.list(filter={"message_id": res.message_id}).logs
    assert [x.state for x in logs][0] == LogState.DELIVERED
    assert logs[0].retry_delay_expression == "15000"
    assert logs[0].headers["X-T"] == ["1"]
    assert base64.b64decode(logs[0].body_base64) == b"hello"


def test_an_error_logs_its_response_body_in_base64_and_the_dlq_its_headers(srv, client):
    with ReceiverApp(status=500) as app:
        [mid, *_] = _fail_three(client, app.url)
        srv.advance(0)
    [error] = client.log.list(filter={"message_id": mid, "state": LogState.ERROR}).logs
    assert base64.b64decode(error.response_body) == b"status 500"
    dead = client.dlq.list(filter={"message_id": mid}).messages[0]
    assert dead.response_body == "status 500"
    assert dead.response_headers["Content-Type"] == ["text/plain"]


def test_events_and_logs_paths_answer_under_their_own_keys(api):
    assert "events" in api.get("/v2/events").json()
    assert "logs" in api.get("/v2/logs").json()


def test_repeated_filters_are_ored_and_host_and_path_filter(srv, client, api):
    with ReceiverApp(status=500) as app:
        ids = _fail_three(client, app.url)
        srv.advance(0)
    both = api.get("/v2/events", params=[("url", f"{app.url}/p0"), ("url", f"{app.url}/p1"),
                                         ("state", "FAILED")]).json()["events"]
    assert {e["messageId"] for e in both} == set(ids[:2])
    by_path = api.get("/v2/events", params={"path": "/p2", "state": "FAILED"}).json()["events"]
    assert [e["messageId"] for e in by_path] == [ids[2]]
    assert len(api.get("/v2/events", params={"host": "127.0.0.1", "state": "FAILED"})
               .json()["events"]) == 3
    assert api.get("/v2/events", params={"host": "example.org"}).json()["events"] == []


def test_dlq_filters(srv, client):
    with ReceiverApp(status=[500, 404, 404]) as app:
        ids = _fail_three(client, app.url)
        srv.advance(0)
    assert len(client.dlq.list(filter={"response_status": 404}).messages) == 2
    assert [m.message_id for m in client.dlq.list(filter={"label": "l1"}).messages] == [ids[1]]
    assert [m.message_id for m in client.dlq.list(filter={"url": f"{app.url}/p2"}).messages
            ] == [ids[2]]
    assert len(client.dlq.list(filter={"caller_ip": "127.0.0.1"}).messages) == 3
    assert client.dlq.list(filter={"from_time": int(srv.now().timestamp() * 1000) + 60_000}
                           ).messages == []


def test_dlq_bulk_delete_by_query_ids_and_refusing_unknown_filters(srv, client, api):
    with ReceiverApp(status=500) as app:
        _fail_three(client, app.url)
        srv.advance(0)
    dead = [m.dlq_id for m in client.dlq.list().messages]
    typo = api.request("DELETE", "/v2/dlq", params={"labeel": "l0"})
    assert typo.status_code == 400 and len(srv.dlq()) == 3
    r = api.request("DELETE", "/v2/dlq", params=[("dlqIds", dead[0]), ("dlqIds", dead[1])])
    assert r.json() == {"deleted": 2}
    assert client.dlq.delete_many([dead[2]]) == 1 and srv.dlq() == []


def test_dlq_retry_publishes_again_and_leaves_the_dlq(srv, client, api):
    with ReceiverApp(status=[500, 500, 500, 200, 500]) as app:
        _fail_three(client, app.url)
        srv.advance(0)
        first, *rest = [m.dlq_id for m in client.dlq.list().messages]
        one = api.request("POST", f"/v2/dlq/retry/{first}").json()
        assert one["messageId"].startswith("msg_")
        many = api.request("POST", "/v2/dlq/retry",
                           params=[("dlqIds", rest[0]), ("dlqIds", rest[1])]).json()
        assert len(many["responses"]) == 2
        srv.advance(0)
    assert len(srv.dlq()) == 2  # the first retry delivered; the other two failed again
    assert api.request("POST", "/v2/dlq/retry/dlq_missing").status_code == 404


def test_rotating_signing_keys_signs_with_the_next_key(srv, client, receiver):
    before = client.signing_key.get()
    after = client.signing_key.rotate()
    assert after.current == before.next and after.next != before.next
    assert client.signing_key.get() == after
    client.message.publish(url=f"{receiver.url}/k", body="b")
    srv.advance(0)
    [got] = receiver.requests
    Receiver(after.current, after.next).verify(signature=got.headers["upstash-signature"],
                                               body="b", url=f"{receiver.url}/k")


def test_dlq_pages_are_capped_at_100_as_on_qstash(srv, api):
    with ReceiverApp(status=500) as app:
        for i in range(101):
            api.request("POST", f"/v2/publish/{app.url}/{i}", headers={"Upstash-Retries": "0"})
        srv.advance(0)
    page = api.get("/v2/dlq", params={"count": 500}).json()
    assert len(page["messages"]) == 100 and page["cursor"]
    rest = api.get("/v2/dlq", params={"cursor": page["cursor"]}).json()
    assert len(rest["messages"]) == 1 and "cursor" not in rest
