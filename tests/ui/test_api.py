"""/api/... answers in the shapes the CLI's --json prints, built by the same code: compared
here with the real CLI's output for the same project."""

from __future__ import annotations

import json
import time

import pytest

from .helpers import csrf_of


def _cli_json(site, *args):
    r = site.cli(*args, "--json")
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def history(site):
    """Two manual runs of tick (delivered) and one of fails (failed, into the DLQ)."""
    c = site.client()
    csrf = csrf_of(c.get("/jobs/tick").text)
    for name in ("tick", "tick", "fails"):
        assert c.post(f"/jobs/{name}/run", data={"csrf": csrf}).status_code == 303
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = c.get("/api/logs").json()["runs"]
        if len(runs) >= 3 and all(r["state"] != "in-flight" for r in runs):
            return c
        time.sleep(0.2)
    raise AssertionError(runs)


def test_logs_dlq_probe_diff_list_match_the_cli(site, history):
    c = site.client()
    assert c.get("/api/logs").json() == _cli_json(site, "logs")
    assert c.get("/api/logs?job=fails&status=failed").json() == _cli_json(
        site, "logs", "fails", "--status", "failed")
    dlq = c.get("/api/dlq?job=fails").json()
    assert dlq == _cli_json(site, "dlq", "fails") and len(dlq["messages"]) == 1
    every = c.get("/api/dlq")  # no job=: every job's, as `dlq --json` lists them
    assert every.status_code == 200 and every.json() == _cli_json(site, "dlq")
    assert dlq["messages"][0] in every.json()["messages"]
    assert c.get("/api/diff").json() == _cli_json(site, "diff")
    probe = c.get("/api/probe").json()
    assert set(probe) == {"ok", "failed", "warnings", "checks"}
    assert [ch["name"] for ch in probe["checks"]] == [
        ch["name"] for ch in _cli_json(site, "probe")["checks"]]
    # list --json's rows, each with what the page adds
    listed = _cli_json(site, "list")
    api = c.get("/api/jobs").json()
    assert api["project"] == listed["project"]
    for want, got in zip(listed["jobs"], api["jobs"], strict=True):
        assert {k: got[k] for k in want if k not in ("next_run",)} == \
            {k: v for k, v in want.items() if k != "next_run"}


def test_the_jobs_page_summarises_runs_per_job(site, history):
    c = site.client()
    rows = {r["name"]: r for r in c.get("/api/jobs").json()["jobs"]}
    fails, tick = rows["fails"]["recent"], rows["tick"]["recent"]
    assert rows["fails"]["state"] == "failing" and fails["failure_streak"] >= 1
    assert fails["success_rate"] == 0 and fails["spark"][-1] == "failed"
    assert tick["success_rate"] == 1 and tick["last_state"] == "delivered"
    assert rows["report"]["recent"] is None  # Kubernetes keeps its runs: no summary, a note
    assert any("Kubernetes" in n for n in c.get("/api/jobs").json()["notes"])


def test_filters_and_search(site, history):
    c = site.client()

    def names(query: str) -> list[str]:
        return [r["name"] for r in c.get(f"/api/jobs?{query}").json()["jobs"]]

    assert names("target=kubernetes") == ["report"]
    assert names("label=billing") == ["tick"]
    assert names("q=cleanup") == ["cleanup"]
    assert names("state=failing") == ["fails"]
    page = c.get("/?target=vercel").text
    assert 'data-job="cleanup"' in page and 'data-job="tick"' not in page


def test_job_detail_runs_filter_and_stats(site, history):
    c = site.client()
    job = c.get("/api/jobs/fails").json()
    assert job["stats"]["failed"] >= 1 and job["stats"]["p50_ms"] is not None
    assert job["logs"]["runs"][0]["status"] == 500
    assert [f["key"] for f in job["file"]][:2] == ["tier", "path"]
    assert job["file"][0]["line"] > 1
    page = c.get("/jobs/tick?status=failed").text
    assert "0 runs (failed)" in page
    page = c.get("/jobs/tick?status=delivered").text
    assert 'data-state="delivered"' in page and 'data-state="failed"' not in page
