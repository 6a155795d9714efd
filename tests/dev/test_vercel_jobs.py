"""Infrastructure jobs from schedules.yaml fire as Vercel Cron does."""

from __future__ import annotations

import textwrap

from cronctl.testing import DevServer

CONFIG = """
version: 1
project: acme
base_url: https://app.example.com
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
  hourly:
    tier: infrastructure
    path: /api/cron/hourly
    schedule: "0 * * * *"
  off:
    tier: infrastructure
    path: /api/cron/off
    schedule: "0 * * * *"
    enabled: false
  business:
    tier: business
    path: /api/cron/business
    schedule: "0 * * * *"
"""


def test_infrastructure_jobs_get_vercel_requests(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("CRON_SECRET", "s3cret-value")
    config = tmp_path / "schedules.yaml"
    config.write_text(textwrap.dedent(CONFIG))
    with DevServer(clock="frozen:2026-01-05T04:30:00Z", config_path=config,
                   app_url=receiver.url) as srv:
        assert srv.notes == ["2 Vercel cron job(s) from schedules.yaml fire at " + receiver.url]
        summary = srv.advance(2 * 3600)
        runs = srv.vercel_runs()
        assert srv.schedules() == [] and srv.request_count() == 0
    assert summary["vercelRuns"] == 3
    # 05:00 hourly; 06:00 hourly and keep-alive (at once, in either order).
    assert sorted((r.method, r.path) for r in receiver.requests) == [
        ("GET", "/api/cron/hourly"), ("GET", "/api/cron/hourly"), ("GET", "/api/cron/keep-alive")]
    for got in receiver.requests:
        assert got.headers["user-agent"] == "vercel-cron/1.0"
        assert got.headers["authorization"] == "Bearer s3cret-value"
        assert got.headers["x-vercel-cron-schedule"] == (
            "0 6 * * *" if got.path.endswith("keep-alive") else "0 * * * *")
    assert sorted((r["job"], r["status"], r["scheduledTime"]) for r in runs) == [
        ("hourly", 200, 1767589200000), ("hourly", 200, 1767592800000),
        ("keep-alive", 200, 1767592800000)]
    assert not any("s3cret" in str(r) for r in runs)


def test_no_authorization_without_cron_secret_and_absent_file_is_fine(tmp_path, receiver,
                                                                     monkeypatch):
    monkeypatch.delenv("CRON_SECRET", raising=False)
    config = tmp_path / "schedules.yaml"
    config.write_text(textwrap.dedent(CONFIG))
    with DevServer(clock="frozen:2026-01-05T05:30:00Z", config_path=config,
                   app_url=receiver.url) as srv:
        srv.advance(1800)
    assert len(receiver.requests) == 2
    assert not any("authorization" in got.headers for got in receiver.requests)
    with DevServer(config_path=tmp_path / "missing.yaml") as srv:
        assert srv.advance(86400)["vercelRuns"] == 0


def test_a_dripping_app_is_cut_at_one_deadline(monkeypatch):
    """Issue 30, 4's class in cronctl dev: Vercel's cron request has one deadline, not one per
    read (httpx's timeout bounds each read; an app dripping a byte each 0.5 s never hits it)."""
    import asyncio

    import httpx

    from cronctl.dev import vercel_jobs
    from cronctl.dev.clock import Clock
    from tests.targets.runner.test_http_deadline import DripApp

    class Log:
        def line(self, *args) -> None:
            pass

    monkeypatch.setattr(vercel_jobs, "TIMEOUT_S", 2.0)
    app = DripApp()
    try:
        crons = vercel_jobs.VercelCrons([], app.url, Clock(), Log())
        job = vercel_jobs.VercelJob("drip", "/api/drip", "0 * * * *")

        async def go() -> None:
            async with httpx.AsyncClient(trust_env=False) as http:
                await asyncio.wait_for(crons.run(http, job, 0), 120)  # per read: 500 s

        asyncio.run(go())
    finally:
        app.close()
    [run] = crons.runs
    assert run["status"] is None and "Timeout" in run["error"], run
