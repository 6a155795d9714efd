"""Firing and delivery: headers, retries with their delays, the DLQ, callbacks, flow control."""

from __future__ import annotations

import base64
import json

from cronctl.testing import DevServer, ReceiverApp

MINUTE = 60


def _states(srv, **filters) -> list[str]:
    return [e["state"] for e in reversed(srv.events(**filters))]


def test_a_due_schedule_is_delivered_with_its_method_body_and_headers(srv, api, receiver):
    dest = f"{receiver.url}/api/cron/report"
    api.upsert(dest, "*/15 * * * *", body='{"kind":"daily"}', Upstash_Schedule_Id="rep",
               Upstash_Method="PUT", Upstash_Forward_Authorization="Bearer s3cret",
               Upstash_Forward_X_Tenant="acme", Content_Type="application/json")
    summary = srv.advance(30 * MINUTE)
    assert summary["fired"] == 2 and summary["delivered"] == 2
    first = receiver.requests[0]
    assert (first.method, first.url, first.text) == ("PUT", dest, '{"kind":"daily"}')
    assert first.headers["authorization"] == "Bearer s3cret"
    assert first.headers["x-tenant"] == "acme"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["upstash-schedule-id"] == "rep"
    assert first.headers["upstash-retried"] == "0"
    assert not any(k.startswith("upstash-forward-") for k in first.headers)

    s = api.get("/v2/schedules/rep").json()
    assert s["lastScheduleTime"] == 1767601800000  # 08:30Z
    assert s["nextScheduleTime"] == 1767602700000  # 08:45Z
    message_id = receiver.requests[1].headers["upstash-message-id"]
    assert s["lastScheduleStates"] == {message_id: "SUCCESS"}
    assert _states(srv, messageId=message_id) == ["CREATED", "ACTIVE", "DELIVERED"]
    delivered = srv.events(messageId=message_id, state="DELIVERED")[0]
    assert delivered["responseStatus"] == 200 and delivered["scheduleId"] == "rep"


def test_nothing_fires_before_its_time_and_paused_schedules_never(srv, api, receiver):
    api.upsert(f"{receiver.url}/a", "0 9 * * *", Upstash_Schedule_Id="a")
    api.upsert(f"{receiver.url}/b", "0 9 * * *", Upstash_Schedule_Id="b")
    api.request("POST", "/v2/schedules/b/pause")
    assert srv.advance(59 * MINUTE)["fired"] == 0 and receiver.requests == []
    assert srv.advance(MINUTE)["fired"] == 1
    assert [r.path for r in receiver.requests] == ["/a"]
    api.request("PATCH", "/v2/schedules/b/resume")
    srv.advance(24 * 60 * MINUTE)
    assert sorted(r.path for r in receiver.requests) == ["/a", "/a", "/b"]


def test_retries_follow_the_delay_expression_then_dlq_and_failure_callback(srv, api):
    with ReceiverApp(status=503) as app, ReceiverApp() as hooks:
        api.upsert(f"{app.url}/flaky", "0 9 * * *", body="payload", Upstash_Schedule_Id="f",
                   Upstash_Retries="2", Upstash_Retry_Delay="pow(2, retried) * 60000",
                   Upstash_Failure_Callback=f"{hooks.url}/failed",
                   Upstash_Callback=f"{hooks.url}/ok")
        # 09:00 first attempt; retry 1 a minute after it ends (09:01), retry 2 two minutes
        # after that one ends (just after 09:03).
        summary = srv.advance(62 * MINUTE)
        assert (summary["attempts"], summary["retried"], summary["failed"]) == (2, 2, 0)
        assert [r.headers["upstash-retried"] for r in app.requests] == ["0", "1"]
        assert srv.dlq() == []
        summary = srv.advance(2 * MINUTE)
        assert (summary["attempts"], summary["failed"]) == (1, 1)
        assert [r.headers["upstash-retried"] for r in app.requests] == ["0", "1", "2"]

        [dead] = srv.dlq()
        assert dead["scheduleId"] == "f" and dead["responseStatus"] == 503
        assert dead["body"] == "payload" and dead["maxRetries"] == 2
        assert [h.path for h in hooks.requests] == ["/failed"]
        callback = json.loads(hooks.requests[0].body)
        assert callback["dlqId"] == dead["dlqId"] and callback["status"] == 503
        assert callback["sourceMessageId"] == dead["messageId"] and callback["retried"] == 2
        assert "upstash-signature" in hooks.requests[0].headers

        assert _states(srv, scheduleId="f") == [
            "CREATED", "ACTIVE", "ERROR", "RETRY", "ACTIVE", "ERROR", "RETRY",
            "ACTIVE", "ERROR", "FAILED"]
        retry = srv.events(scheduleId="f", state="RETRY")[-1]
        assert retry["nextDeliveryTime"] - retry["time"] == 60000
        error = srv.events(scheduleId="f", state="ERROR")[0]
        assert error["responseStatus"] == 503  # QStash logs an ERROR's body in base64
        assert base64.b64decode(error["responseBody"]) == b"status 503"
        s = api.get("/v2/schedules/f").json()
        assert list(s["lastScheduleStates"].values()) == ["FAIL"]


def test_a_retry_that_succeeds_calls_the_callback_and_not_the_failure_callback(srv, api):
    with ReceiverApp(status=[500, 200]) as app, ReceiverApp() as hooks:
        api.upsert(f"{app.url}/x", "0 9 * * *", Upstash_Schedule_Id="x",
                   Upstash_Callback=f"{hooks.url}/ok",
                   Upstash_Failure_Callback=f"{hooks.url}/failed")
        # The default backoff waits e ** 2.5 s = 12.18 s before the first retry.
        assert srv.advance(60 * MINUTE + 12)["delivered"] == 0
        assert srv.advance(1)["delivered"] == 1
        assert [h.path for h in hooks.requests] == ["/ok"]
        assert srv.dlq() == []


def test_connection_errors_and_timeouts_are_failures_with_an_error(srv, api):
    with ReceiverApp(delay=2.0) as slow:
        api.upsert(f"{slow.url}/slow", "0 9 * * *", Upstash_Schedule_Id="slow",
                   Upstash_Retries="0", Upstash_Timeout="1")
        api.upsert("http://127.0.0.1:9/closed", "0 9 * * *", Upstash_Schedule_Id="closed",
                   Upstash_Retries="0")
        assert srv.advance(60 * MINUTE)["failed"] == 2
    errors = {e["scheduleId"]: e["error"] for e in srv.events(state="FAILED")}
    assert "timed out" in errors["slow"]
    assert "connection failed" in errors["closed"]
    assert {d["scheduleId"] for d in srv.dlq()} == {"slow", "closed"}


def test_flow_control_limits_concurrent_deliveries_per_key(srv, api):
    with ReceiverApp(delay=0.2) as app:
        for i in range(6):
            api.upsert(f"{app.url}/{i}", "0 9 * * *", Upstash_Schedule_Id=f"s{i}",
                       Upstash_Flow_Control_Key="tenant-a",
                       Upstash_Flow_Control_Value="parallelism=2")
        assert srv.advance(60 * MINUTE)["delivered"] == 6
        assert app.max_in_flight == 2
    with ReceiverApp(delay=0.2) as app:
        for i in range(4):
            api.upsert(f"{app.url}/{i}", "0 10 * * *", Upstash_Schedule_Id=f"free{i}")
        srv.advance(60 * MINUTE)
        assert app.max_in_flight == 4


def test_publish_delivers_once_with_its_delay(srv, api, receiver):
    response = api.http.post(f"/v2/publish/{receiver.url}/once", content=b"hi",
                             headers={"Upstash-Delay": "5m"})
    message_id = response.json()["messageId"]
    srv.advance(4 * MINUTE)
    assert receiver.requests == []
    srv.advance(MINUTE)
    [got] = receiver.requests
    assert got.headers["upstash-message-id"] == message_id
    assert "upstash-schedule-id" not in got.headers


def test_events_filters_and_cursor_paging(srv, api, receiver):
    api.upsert(f"{receiver.url}/a", "*/5 * * * *", Upstash_Schedule_Id="a")
    api.upsert(f"{receiver.url}/b", "0 * * * *", Upstash_Schedule_Id="b")
    srv.advance(60 * MINUTE)
    everything = srv.events()
    assert len(everything) == 3 * (12 + 1)
    times = [e["time"] for e in everything]
    assert times == sorted(times, reverse=True)  # newest first
    pages, cursor = [], None
    while True:
        params = {"count": 7, "scheduleId": "a", **({"cursor": cursor} if cursor else {})}
        page = api.get("/v2/events", params=params).json()
        pages.extend(page["events"])
        cursor = page.get("cursor")
        if not cursor:
            break
    assert pages == srv.events(scheduleId="a") and len(pages) == 36
    window = api.get("/v2/logs", params={"scheduleId": "b", "state": "DELIVERED",
                                         "fromDate": 1767603600000}).json()
    assert [e["scheduleId"] for e in window["logs"]] == ["b"] and "cursor" not in window


def test_live_and_access_logs_show_outcomes_but_never_header_values_or_the_token(
        capsys, receiver, api_for):
    with DevServer(clock="frozen:2026-01-05T08:00:00Z", log=True, access_log=True) as srv:
        api = api_for(srv)
        api.upsert(f"{receiver.url}/api/secretive", "0 9 * * *", Upstash_Schedule_Id="s",
                   Upstash_Forward_Authorization="Bearer top-secret-value")
        srv.advance(3600)
    out = capsys.readouterr().out
    assert "POST /v2/schedules/" in out and " 200 " in out  # the access log line
    assert f"POST {receiver.url}/api/secretive  schedule s" in out and "-> 200" in out
    assert "top-secret-value" not in out and srv.token not in out
