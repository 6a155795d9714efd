"""The operator's buttons against a real `cronctl dev`: run now and its outcome, pause and
resume, dead letters retried and deleted, locked jobs refused, manual runs rate-limited."""

from __future__ import annotations

import time

from .conftest import RUNNER, TRIGGER_LIMIT
from .helpers import by_id, csrf_of


def _schedule(site, name):
    return next(s for s in site.dev.schedules() if s["scheduleId"].endswith(f".{name}"))


def _outcome(c, location):
    name = location.split("/jobs/")[1].split("?")[0]
    run = location.split("run=")[1]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        d = c.get(f"/jobs/{name}/outcome?run={run}",
                  headers={"Accept": "application/json"}).json()
        if d["done"]:
            return d
    raise AssertionError(d)


def test_run_now_shows_the_outcome(site):
    c = site.client()
    csrf = csrf_of(c.get("/jobs/tick").text)
    before = len([r for r in site.app.requests if r.path == "/api/cron/tick"])
    r = c.post("/jobs/tick/run", data={"csrf": csrf})
    assert r.status_code == 303 and "?run=msg_" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    assert "waiting for its outcome" in page  # shown, then filled in by the page's script
    d = _outcome(c, r.headers["location"])
    assert d["state"] == "delivered" and d["text"].startswith("tick: delivered, 1 attempt")
    assert len([r for r in site.app.requests if r.path == "/api/cron/tick"]) == before + 1
    bad = _outcome(c, c.post("/jobs/fails/run", data={"csrf": csrf}).headers["location"])
    assert bad["state"] == "failed" and "HTTP 500" in bad["text"]
    assert "<h1>oops</h1>" in bad["run"]["response"]  # the app's words, as data


def test_pause_and_resume(site):
    c = site.client()
    csrf = csrf_of(c.get("/jobs/tick").text)
    r = c.post("/jobs/tick/pause", data={"csrf": csrf})
    assert r.status_code == 200 and by_id(r.text, "done") == "Paused tick on QStash."
    assert "still says enabled: true" in r.text  # as `cronctl pause` notes
    assert _schedule(site, "tick")["isPaused"] is True
    r = c.post("/jobs/tick/resume", data={"csrf": csrf})
    assert by_id(r.text, "done") == "Resumed tick on QStash."
    assert _schedule(site, "tick")["isPaused"] is False
    r = c.post("/jobs/report/pause", data={"csrf": csrf})  # Kubernetes: cronctl cannot
    assert r.status_code == 400
    assert "cronctl cannot pause or resume Kubernetes jobs" in by_id(r.text, "problem")
    actions = [e["action"] for e in c.get("/api/audit").json()["entries"][:3]]
    assert actions == ["pause", "resume", "pause"]


def test_dead_letters_retry_and_delete(site):
    c = site.client()
    csrf = csrf_of(c.get("/jobs/fails").text)
    _outcome(c, c.post("/jobs/fails/run", data={"csrf": csrf}).headers["location"])
    letters = c.get("/api/dlq?job=fails").json()["messages"]
    assert letters
    page = c.get("/jobs/fails").text
    assert letters[0]["dlq_id"] in page and "&lt;h1&gt;oops&lt;/h1&gt;" in page
    r = c.post("/jobs/fails/dlq/retry", data={"csrf": csrf, "id": letters[0]["dlq_id"]})
    assert by_id(r.text, "done").startswith(f"Retried dead letter {letters[0]['dlq_id']}")
    left = c.get("/api/dlq?job=fails").json()["messages"]
    assert letters[0]["dlq_id"] not in [d["dlq_id"] for d in left]
    one = left[0]["dlq_id"] if left else letters[-1]["dlq_id"]
    r = c.post("/jobs/fails/dlq/delete", data={"csrf": csrf, "id": one})
    if left:
        assert by_id(r.text, "done") == f"Deleted dead letter {one}."
        assert one not in [d["dlq_id"] for d in c.get("/api/dlq?job=fails").json()["messages"]]
    r = c.post("/jobs/fails/dlq/delete", data={"csrf": csrf, "id": "not-ours"})
    assert r.status_code == 400 and "is not a dead letter of fails" in by_id(r.text, "problem")


def test_a_locked_job_refuses_every_control_saying_why(site):
    c = site.client()
    page = c.get("/jobs/frozen").text
    assert "This job is locked" in page
    csrf = csrf_of(page)
    before = _schedule(site, "frozen")
    for action in ("run", "pause", "resume", "dlq/retry", "dlq/delete"):
        r = c.post(f"/jobs/frozen/{action}", data={"csrf": csrf, "id": "x"})
        assert r.status_code == 409, action
        assert "frozen is locked (schedules.yaml:" in by_id(r.text, "problem")
    r = c.get("/jobs/frozen/edit")
    assert r.status_code == 409 and "does not edit it" in by_id(r.text, "problem")
    assert _schedule(site, "frozen") == before
    assert not [r for r in site.app.requests if r.path == "/api/cron/frozen"]


def test_manual_runs_are_rate_limited_per_user(site):
    c = site.client(RUNNER)
    csrf = csrf_of(c.get("/jobs/tick").text)
    codes = [c.post("/jobs/tick/run", data={"csrf": csrf}).status_code
             for _ in range(TRIGGER_LIMIT + 1)]
    assert codes == [303] * TRIGGER_LIMIT + [403]
    r = c.post("/jobs/tick/run", data={"csrf": csrf})
    assert f"rita started {TRIGGER_LIMIT} runs in the last 60 s" in by_id(r.text, "problem")
    # another user is not held back by rita's runs
    admin = site.client()
    assert admin.post("/jobs/tick/run", data={
        "csrf": csrf_of(admin.get("/jobs/tick").text)}).status_code == 303


def test_a_runner_job_appears_and_runs_with_no_change_to_the_dashboard(site):
    """The runner (issue 22) is one more registered target: its job is listed, runs now and
    shows its run, through the same Target interface as the others."""
    c = site.client()
    row = next(r for r in c.get("/api/jobs").json()["jobs"] if r["name"] == "nightly")
    assert (row["target"], row["state"]) == ("runner", "in sync")
    before = len([r for r in site.app.requests if r.path == "/api/cron/nightly"])
    r = c.post("/jobs/nightly/run", data={"csrf": csrf_of(c.get("/jobs/nightly").text)})
    d = _outcome(c, r.headers["location"])
    assert d["state"] == "delivered" and d["text"].startswith("nightly: delivered, 1 attempt")
    assert len([r for r in site.app.requests if r.path == "/api/cron/nightly"]) == before + 1
    runs = c.get("/api/logs?job=nightly").json()["runs"]
    assert runs[0]["run_id"] == d["run"]["run_id"] and runs[0]["started_by"] == "manual"
