"""`cronctl dev` loses no accepted message (issue 25): a delayed publish, a fired schedule run
waiting on its delay and a pending retry are kept with its store (`--db`) and resumed when it
starts again, even after SIGKILL (no clean stop). QStash delivers at least once.

A real `cronctl dev` subprocess, killed with SIGKILL and started again on the same database; a
real loopback receiver; the log (QStash events) ends DELIVERED, not "in flight"."""

from __future__ import annotations

import signal

import httpx

from cronctl.dev import TOKEN

FROZEN = "frozen:2026-01-05T08:00:00Z"  # a Monday, 08:00 UTC
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(dev) -> httpx.Client:
    return httpx.Client(base_url=dev.url, headers=AUTH, timeout=30, trust_env=False)


def _states(dev, message_id: str) -> list[str]:
    with _client(dev) as c:
        events = c.get("/v2/events", params={"messageId": message_id}).json()["events"]
    return [e["state"] for e in reversed(events)]  # oldest first


def _kill(dev) -> None:
    dev.stop(signal.SIGKILL)
    assert dev.proc.returncode == -signal.SIGKILL


def test_a_delayed_publish_survives_sigkill(tmp_path, start_dev, receiver, poll):
    db = tmp_path / "dev.sqlite3"
    first = start_dev(tmp_path, "--db", str(db), "--no-apply")
    with _client(first) as c:
        sent = c.post(f"/v2/publish/{receiver.url}/delayed", content=b"hello",
                      headers={"Upstash-Delay": "2s"})
    assert sent.status_code in (200, 201), sent.text
    message_id = sent.json()["messageId"]
    _kill(first)
    assert receiver.requests == []  # killed before it was due
    second = start_dev(tmp_path, "--db", str(db), "--no-apply")
    poll(lambda: receiver.requests, "the delivery after the restart")
    assert [r.path for r in receiver.requests] == ["/delayed"]
    assert receiver.requests[0].body == b"hello"
    assert receiver.requests[0].headers["upstash-message-id"] == message_id
    poll(lambda: "DELIVERED" in _states(second, message_id), "DELIVERED in the log")
    assert "resumed 1 message" in second.log()


def test_a_fired_run_waiting_on_its_delay_survives_sigkill(tmp_path, start_dev, receiver,
                                                           poll):
    db = tmp_path / "dev.sqlite3"
    first = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(first) as c:
        made = c.post(f"/v2/schedules/{receiver.url}/run",
                      headers={"Upstash-Cron": "0 9 * * *", "Upstash-Delay": "1h"})
        assert made.status_code in (200, 201), made.text
        schedule_id = made.json()["scheduleId"]
        fired = c.post("/_cronctl/advance", params={"seconds": 3600 + 60}).json()
        assert fired["fired"] == 1 and fired["attempts"] == 0  # due at 10:00
        run_id = next(iter(c.get(f"/v2/schedules/{schedule_id}").json()["lastScheduleStates"]))
    _kill(first)
    second = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(second) as c:
        done = c.post("/_cronctl/advance", params={"seconds": 2 * 3600 + 60}).json()
    assert done["delivered"] == 1 and done["fired"] == 0, done
    assert [r.path for r in receiver.requests] == ["/run"]
    assert receiver.requests[0].headers["upstash-schedule-id"] == schedule_id
    assert receiver.requests[0].headers["upstash-message-id"] == run_id
    assert _states(second, run_id)[-1] == "DELIVERED"


def test_a_pending_retry_survives_sigkill(tmp_path, start_dev, receiver, poll):
    receiver.respond([500, 200])
    db = tmp_path / "dev.sqlite3"
    first = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(first) as c:
        sent = c.post(f"/v2/publish/{receiver.url}/retry", headers={"Upstash-Retries": "3"})
        message_id = sent.json()["messageId"]
        tried = c.post("/_cronctl/advance", params={"seconds": 0}).json()
    assert tried["attempts"] == 1 and tried["retried"] == 1
    assert _states(first, message_id)[-1] == "RETRY"
    _kill(first)
    second = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(second) as c:
        done = c.post("/_cronctl/advance", params={"seconds": 3600}).json()
    assert done["delivered"] == 1, done
    assert [r.headers["upstash-retried"] for r in receiver.requests] == ["0", "1"]
    assert _states(second, message_id)[-1] == "DELIVERED"


def test_a_cancelled_or_delivered_message_is_not_resumed(tmp_path, start_dev, receiver, poll):
    db = tmp_path / "dev.sqlite3"
    first = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(first) as c:
        kept = c.post(f"/v2/publish/{receiver.url}/done").json()["messageId"]
        c.post("/_cronctl/advance", params={"seconds": 0})
        gone = c.post(f"/v2/publish/{receiver.url}/cancelled",
                      headers={"Upstash-Delay": "1h"}).json()["messageId"]
        assert c.delete(f"/v2/messages/{gone}").status_code in (200, 202, 204)
    _kill(first)
    second = start_dev(tmp_path, "--db", str(db), "--no-apply", "--clock", FROZEN)
    with _client(second) as c:
        done = c.post("/_cronctl/advance", params={"seconds": 2 * 3600}).json()
    assert done["attempts"] == 0, done
    assert [r.path for r in receiver.requests] == ["/done"]
    assert _states(second, kept)[-1] == "DELIVERED"
    assert _states(second, gone)[-1] == "CANCELED"
