"""Schedules API: upsert semantics, ID rules, every error status, pause/resume, request counts."""

from __future__ import annotations

import pytest

from cronctl.testing import DevServer

DEST = "https://app.example.com/api/cron/report"


def test_upsert_replaces_every_field_and_keeps_created_at_and_pause(srv, api):
    first = api.upsert(DEST, "0 9 * * *", body='{"a":1}', Upstash_Schedule_Id="job.a",
                       Upstash_Method="PUT", Upstash_Retries="5", Upstash_Delay="1m",
                       Upstash_Timeout="30s", Upstash_Retry_Delay="1000",
                       Upstash_Forward_X_Tenant="acme", Content_Type="application/json",
                       Upstash_Callback="https://hooks.example.com/ok",
                       Upstash_Failure_Callback="https://hooks.example.com/ko",
                       Upstash_Label="payments,notifications",
                       Upstash_Flow_Control_Key="job.a",
                       Upstash_Flow_Control_Value="parallelism=2")
    assert first.json() == {"scheduleId": "job.a"}
    full = api.get("/v2/schedules/job.a").json()
    assert full["header"] == {"X-Tenant": ["acme"], "Content-Type": ["application/json"]}
    assert (full["method"], full["retries"], full["delay"], full["timeout"]) == ("PUT", 5, 60, 30)
    assert full["labels"] == ["payments", "notifications"] and full["parallelism"] == 2
    assert api.request("POST", "/v2/schedules/job.a/pause").status_code == 200
    srv.advance(600)

    assert api.upsert(DEST + "/v2", "*/5 * * * *", Upstash_Schedule_Id="job.a").status_code == 200
    s = api.get("/v2/schedules/job.a").json()
    assert s["destination"] == DEST + "/v2" and s["cron"] == "*/5 * * * *"
    assert (s["method"], s["retries"], s["header"]) == ("POST", 3, {})
    for gone in ("body", "delay", "timeout", "retryDelayExpression", "callback",
                 "failureCallback", "labels", "label", "flowControlKey", "parallelism"):
        assert gone not in s, gone
    assert s["createdAt"] == full["createdAt"]
    assert s["isPaused"] is True  # a replace keeps the pause state
    assert len(api.get("/v2/schedules").json()) == 1


def test_list_is_a_bare_array_with_qstash_fields(api):
    api.upsert(DEST, "CRON_TZ=America/New_York 0 9 * * *", Upstash_Schedule_Id="ny")
    listed = api.get("/v2/schedules").json()
    assert isinstance(listed, list)
    [s] = listed
    assert s["scheduleId"] == "ny" and s["cron"] == "CRON_TZ=America/New_York 0 9 * * *"
    # 2026-01-05 08:00Z is 03:00 in New York: the next run is 09:00 EST = 14:00Z.
    assert s["nextScheduleTime"] == 1767621600000
    assert s["isPaused"] is False and "lastScheduleTime" not in s


@pytest.mark.parametrize("sid", ["a", "A-b_c.9", "cronctl.acme.job-1", "x" * 256])
def test_valid_schedule_ids(api, sid):
    assert api.upsert(DEST, Upstash_Schedule_Id=sid).json() == {"scheduleId": sid}


@pytest.mark.parametrize("sid", ["has space", "slash/inside", "ünï", "semi;colon", "x" * 257])
def test_invalid_schedule_ids_are_400(api, sid):
    response = api.http.post(f"/v2/schedules/{DEST}",
                             headers={"Upstash-Cron": "0 9 * * *",
                                      "Upstash-Schedule-Id": sid.encode()})
    assert response.status_code == 400
    assert "Upstash-Schedule-Id" in response.json()["error"]


@pytest.mark.parametrize(("dest", "headers", "fragment"), [
    (DEST, {"Upstash-Cron": "61 * * * *"}, "invalid cron"),
    (DEST, {"Upstash-Cron": "0 0 31 2 *"}, "never fires"),
    (DEST, {"Upstash-Cron": "0 9 * * 7"}, "invalid cron"),  # robfig: day-of-week is 0-6
    (DEST, {"Upstash-Cron": "CRON_TZ=Mars/Olympus 0 9 * * *"}, "unknown timezone"),
    (DEST, {}, "Upstash-Cron"),
    ("not-a-url", {"Upstash-Cron": "0 9 * * *"}, "destination"),
    ("ftp://files.example.com/x", {"Upstash-Cron": "0 9 * * *"}, "destination"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Retries": "many"}, "Upstash-Retries"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Retries": "-1"}, "Upstash-Retries"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Delay": "soon"}, "Upstash-Delay"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Timeout": "1 week"}, "Upstash-Timeout"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Method": "BREW"}, "Upstash-Method"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Retry-Delay": "__import__('os')"},
     "Upstash-Retry-Delay"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Callback": "nope"}, "Upstash-Callback"),
    (DEST, {"Upstash-Cron": "0 9 * * *", "Upstash-Flow-Control-Key": "k",
            "Upstash-Flow-Control-Value": "parallelism=0"}, "Flow-Control"),
])
def test_bad_requests_are_400_with_an_error(api, dest, headers, fragment):
    response = api.http.post(f"/v2/schedules/{dest}", headers=headers)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert api.get("/v2/schedules").json() == []


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic abc", "Bearer"])
def test_missing_or_wrong_token_is_401(srv, auth):
    import httpx

    headers = {"Authorization": auth} if auth else {}
    for method, path in (("GET", "/v2/schedules"), ("POST", f"/v2/schedules/{DEST}"),
                         ("POST", "/_cronctl/advance?seconds=60")):
        response = httpx.request(method, srv.url + path, headers=headers, trust_env=False)
        assert response.status_code == 401
        assert "error" in response.json()


def test_unknown_schedule_is_404_everywhere(api):
    for method, path in (("GET", "/v2/schedules/nope"), ("DELETE", "/v2/schedules/nope"),
                         ("PATCH", "/v2/schedules/nope/pause"),
                         ("POST", "/v2/schedules/nope/resume"), ("DELETE", "/v2/dlq/nope")):
        response = api.request(method, path)
        assert response.status_code == 404, (method, path)
        assert "error" in response.json()


def test_max_schedules_is_412_on_create_but_replace_is_fine(api_for):
    with DevServer(max_schedules=2) as srv:
        api = api_for(srv)
        assert api.upsert(DEST, Upstash_Schedule_Id="a").status_code == 200
        assert api.upsert(DEST).status_code == 200  # a generated ID counts too
        third = api.upsert(DEST, Upstash_Schedule_Id="c")
        assert third.status_code == 412 and "limit" in third.json()["error"]
        assert api.upsert(DEST + "/new", "5 9 * * *", Upstash_Schedule_Id="a").status_code == 200
        api.request("DELETE", "/v2/schedules/a")
        assert api.upsert(DEST, Upstash_Schedule_Id="c").status_code == 200


def test_pause_and_resume_by_post_and_patch_and_delete(api):
    api.upsert(DEST, Upstash_Schedule_Id="p")
    for method in ("POST", "PATCH"):
        assert api.request(method, "/v2/schedules/p/pause").status_code == 200
        assert api.get("/v2/schedules/p").json()["isPaused"] is True
        assert api.request(method, "/v2/schedules/p/resume").status_code == 200
        assert api.get("/v2/schedules/p").json()["isPaused"] is False
    assert api.request("DELETE", "/v2/schedules/p").status_code == 200
    assert api.get("/v2/schedules/p").status_code == 404


def test_requests_are_counted_by_route_and_control_calls_are_not(srv, api):
    api.upsert(DEST, Upstash_Schedule_Id="a")
    api.get("/v2/schedules")
    api.get("/v2/schedules/a")
    api.get("/v2/schedules", headers={"Authorization": "Bearer wrong"})
    srv.schedules()
    srv.advance(60)
    assert srv.request_count() == 4
    assert srv.route_counts() == {"GET /v2/schedules": 2, "GET /v2/schedules/{id}": 1,
                                  "POST /v2/schedules/{destination}": 1}
    srv.reset_counts()
    assert srv.request_count() == 0
    api.get("/v2/keys")
    assert srv.request_count() == 1
