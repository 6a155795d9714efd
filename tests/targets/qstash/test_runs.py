"""QStash log events as runs: the shapes the API documents (labels as a list or a comma-joined
string, base64 response bodies, cancelled messages), independent of any server."""

from __future__ import annotations

import base64

from cronctl.config import Job
from cronctl.targets.qstash.model import QStashSpec
from cronctl.targets.qstash.runs import JobIndex, body_text, group


def job(name: str) -> Job:
    sid = f"cronctl.acme.{name}"
    return Job(name=name, tier="business", path=f"/{name}", schedule="0 9 * * *",
               target="qstash", spec=QStashSpec(schedule_id=sid, url=None, history_ids=(sid,)))


def ev(mid: str, state: str, t: int, **kw) -> dict:
    return {"messageId": mid, "state": state, "time": t, **kw}


def test_runs_from_documented_event_shapes():
    index = JobIndex([job("a"), job("b")])
    body = base64.b64encode(b"database unavailable").decode()
    events = [
        # a scheduled run of a: labels as a list, two attempts, base64 body, then FAILED
        ev("m1", "CREATED", 1000, labels=["cronctl.acme.a", "x"], scheduleId="cronctl.acme.a"),
        ev("m1", "ACTIVE", 1000, scheduleId="cronctl.acme.a"),
        ev("m1", "ERROR", 1040, responseStatus=503, responseBody=body,
           scheduleId="cronctl.acme.a"),
        ev("m1", "RETRY", 1040, nextDeliveryTime=2000, scheduleId="cronctl.acme.a"),
        ev("m1", "ACTIVE", 2000, scheduleId="cronctl.acme.a"),
        ev("m1", "ERROR", 2030, responseStatus=500, responseBodyBase64=body,
           error="endpoint returned 500", scheduleId="cronctl.acme.a"),
        ev("m1", "FAILED", 2030, scheduleId="cronctl.acme.a"),
        # a manual run of b: the label as a comma-joined string, cancelled
        ev("m2", "CREATED", 3000, label="x,cronctl.acme.b", notBefore=5000),
        ev("m2", "CANCELED", 3500, label="x,cronctl.acme.b"),
        # somebody else's message: no label of ours, no schedule of ours
        ev("m3", "CREATED", 4000, label="other"),
    ]
    runs = group(reversed(events), index)
    assert [(r.job, r.run_id) for r in runs] == [("b", "m2"), ("a", "m1")]
    b, a = runs
    assert (b.started_by, b.state, b.attempts, b.due) == (
        "manual", "cancelled", 0, "1970-01-01T00:00:05+00:00")  # due: notBefore (a delay)
    assert (a.started_by, a.state, a.attempts, a.status, a.duration_ms) == (
        "schedule", "failed", 2, 500, 30)
    assert (a.error, a.response) == ("endpoint returned 500", "database unavailable")
    assert a.problem == "endpoint returned 500 | database unavailable"


def test_plain_bodies_stay_as_they_are():
    assert body_text({"responseBody": "ok", "state": "DELIVERED"}) == "ok"
    assert body_text({"responseBody": "abcd", "state": "ERROR"}) == "abcd"
    assert body_text({"responseBody": "status 500", "state": "ERROR"}) == "status 500"
    assert body_text({}) is None
