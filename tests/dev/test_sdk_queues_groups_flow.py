"""Contract: queues, URL groups, flow control and schedules on a queue, through the official
`qstash` SDK, with their limits enforced on deliveries (frozen clock, real HTTP)."""

from __future__ import annotations

import pytest
from qstash import QStash
from qstash.errors import QStashError
from qstash.log import LogState
from qstash.message import FlowControl

from cronctl.testing import DevServer, ReceiverApp


@pytest.fixture
def client(srv: DevServer) -> QStash:
    return QStash(srv.token, base_url=srv.url)


def test_queue_crud_pause_and_lag(srv, client, receiver):
    client.queue.upsert("jobs", parallelism=2)
    q = client.queue.get("jobs")
    assert (q.name, q.parallelism, q.paused, q.lag) == ("jobs", 2, False, 0)
    client.queue.pause("jobs")
    ids = [client.message.enqueue(queue="jobs", url=f"{receiver.url}/{i}", body=str(i))
           .message_id for i in range(3)]
    srv.advance(60)
    assert receiver.requests == [] and client.queue.get("jobs").lag == 3
    client.queue.resume("jobs")
    srv.advance(0)
    assert sorted(r.path for r in receiver.requests) == ["/0", "/1", "/2"]
    assert client.queue.get("jobs").lag == 0
    assert [e["queueName"] for e in srv.events(messageId=ids[0])] == ["jobs"] * 3
    assert [x.name for x in client.queue.list()] == ["jobs"]
    client.queue.delete("jobs")
    with pytest.raises(QStashError, match="404"):
        client.queue.get("jobs")


def test_a_queue_delivers_at_most_its_parallelism_at_once():
    with ReceiverApp(delay=0.2) as app, DevServer() as srv:
        client = QStash(srv.token, base_url=srv.url)
        client.queue.upsert("one", parallelism=1)
        for i in range(3):
            client.message.enqueue(queue="one", url=f"{app.url}/{i}", body="x")
        srv.advance(0)
        assert len(app.requests) == 3 and app.max_in_flight == 1


def test_url_group_crud_and_publish_fans_out(srv, client, receiver):
    client.url_group.upsert_endpoints("team", [{"url": f"{receiver.url}/a", "name": "a"},
                                               {"url": f"{receiver.url}/b", "name": "b"}])
    group = client.url_group.get("team")
    assert [(e.name, e.url) for e in group.endpoints] == [("a", f"{receiver.url}/a"),
                                                           ("b", f"{receiver.url}/b")]
    res = client.message.publish(url_group="team", body="hi")
    assert sorted(r.url for r in res) == [f"{receiver.url}/a", f"{receiver.url}/b"]
    srv.advance(0)
    assert sorted(r.path for r in receiver.requests) == ["/a", "/b"]
    logs = client.log.list(filter={"url_group": "team", "state": LogState.DELIVERED}).logs
    assert {(x.url_group, x.endpoint) for x in logs} == {("team", "a"), ("team", "b")}
    client.url_group.remove_endpoints("team", [{"name": "a"}])
    assert [e.name for e in client.url_group.get("team").endpoints] == ["b"]
    assert [g.name for g in client.url_group.list()] == ["team"]
    client.url_group.delete("team")
    client.url_group.delete("team")  # deleting what is gone succeeds, as on QStash
    assert client.url_group.list() == []


def test_flow_control_info_defaults_pause_pin_and_reset(srv, client, receiver):
    client.message.publish(url=f"{receiver.url}/f", body="x", delay="1h",
                           flow_control=FlowControl(key="fk", parallelism=3))
    info = client.flow_control.get("fk")
    assert (info.parallelism_max, info.rate_max, info.rate_period) == (3, 0, 1)
    client.flow_control.pause("fk")
    srv.advance(3600)
    assert receiver.requests == [] and client.flow_control.get("fk").wait_list_size == 1
    client.flow_control.resume("fk")
    srv.advance(0)
    assert len(receiver.requests) == 1
    client.flow_control.pin("fk", {"parallelism": 1, "rate": 5, "period": 60})
    pinned = client.flow_control.get("fk")
    assert (pinned.parallelism_max, pinned.rate_max, pinned.rate_period) == (1, 5, 60)
    client.message.publish(url=f"{receiver.url}/f", body="y",
                           flow_control=FlowControl(key="fk", parallelism=9))
    assert client.flow_control.get("fk").parallelism_max == 1  # pinned wins
    client.flow_control.unpin("fk", {"parallelism": True})
    after = client.flow_control.get("fk")
    assert (after.is_pinned_parallelism, after.is_pinned_rate) == (False, True)
    srv.advance(0)
    assert client.flow_control.get("fk").rate_count == 1
    client.flow_control.reset_rate("fk")
    assert client.flow_control.get("fk").rate_count == 0
    assert client.flow_control.get_global_parallelism().parallelism_count == 0
    with pytest.raises(QStashError, match="404"):
        client.flow_control.get("unknown-key")


def test_flow_control_rate_is_enforced_per_period(srv, client, receiver):
    for i in range(5):
        client.message.publish(url=f"{receiver.url}/{i}", body="x",
                               flow_control=FlowControl(key="r", rate=2, period="10s"))
    srv.advance(0)
    assert len(receiver.requests) == 2
    assert client.flow_control.get("r").wait_list_size == 3
    srv.advance(10)
    assert len(receiver.requests) == 4
    srv.advance(10)
    assert len(receiver.requests) == 5


def test_flow_control_period_accepts_compound_durations(client, receiver):
    client.message.publish(url=f"{receiver.url}/p", body="x", delay="1h",
                           flow_control=FlowControl(key="p", rate=1, period="1h30m3s"))
    assert client.flow_control.get("p").rate_period == 5403


def test_a_schedule_on_a_queue_keeps_it_and_fires_through_it(srv, client, receiver):
    sid = client.schedule.create(destination=f"{receiver.url}/s", cron="0 9 * * *",
                                 queue="nightly", flow_control=FlowControl(key="k",
                                                                           parallelism=2))
    s = client.schedule.get(sid)
    assert s.queue == "nightly"
    assert s.flow_control is not None and (s.flow_control.rate, s.flow_control.period) == (
        None, 1)
    client.queue.pause("nightly")
    srv.advance(3600)
    assert receiver.requests == []
    client.queue.resume("nightly")
    srv.advance(0)
    assert [r.headers["upstash-queue-name"] for r in receiver.requests] == ["nightly"]


def test_deleting_a_paused_queue_delivers_what_waited_on_it(srv, client, receiver):
    client.queue.upsert("gone", paused=True)
    client.message.enqueue(queue="gone", url=f"{receiver.url}/w", body="x")
    srv.advance(0)
    assert receiver.requests == []
    client.queue.delete("gone")
    srv.advance(0)
    assert [r.path for r in receiver.requests] == ["/w"]
