"""Run history read from the real cron.job_run_details (pg_cron's own table and statuses): each
run's state in `logs`, the counts in `stats`, and verify's observations and liveness. Rows are
written into the table as pg_cron writes them, at fixed times, so nothing waits for a clock."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from cronctl.config import load_config
from cronctl.targets import target_class

JOBS = """
nightly:
  target: pg_cron
  sql: "SELECT 1"
  schedule: "0 3 * * *"
fast:
  target: pg_cron
  sql: "SELECT 2"
  schedule: "*/5 * * * *"
gone:
  target: pg_cron
  sql: "SELECT 3"
  schedule: "0 4 * * *"
"""
T0 = datetime(2026, 3, 2, 3, 0, 0, tzinfo=UTC)


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _runs(sql, jobname: str, rows: list[tuple[str, str | None, int, int | None]]) -> None:
    """(status, message, start seconds after T0, end seconds after T0 or None). A run still in
    flight is `connecting`: when its scheduler starts, pg_cron marks `starting` and `running`
    rows failed ("server restarted"), and this test does not wait for that to have happened."""
    jobid = sql("SELECT jobid FROM cron.job WHERE jobname = %s", (jobname,))[0][0]
    for status, message, start, end in rows:
        sql("INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, "
            "status, return_message, start_time, end_time) VALUES (%s, 1, 'cron', 'cronctl', "
            "'x', %s, %s, %s::timestamptz + make_interval(secs => %s), "
            "CASE WHEN %s::int IS NULL THEN NULL ELSE %s::timestamptz + "
            "make_interval(secs => %s) END)",
            (jobid, status, message, T0, start, end, T0, end))


def test_logs_stats_and_observations_read_job_run_details(cli, pg_file, cron_url, sql):
    project = "h" + uuid.uuid4().hex[:10]
    path = pg_file(project, JOBS)
    env = {"SUPABASE_DB_URL": cron_url}
    assert cli("schedule", "--yes", env=env).code == 0
    prefix = f"cronctl.{project}."
    _runs(sql, prefix + "nightly", [("succeeded", "SELECT 1", 1, 2),
                                     ("failed", "ERROR:  relation \"x\" does not exist", 86400 + 2,
                                      86400 + 3),
                                     ("connecting", None, 2 * 86400 + 1, None)])
    _runs(sql, prefix + "fast", [("failed", "ERROR:  boom", 5 * 60 + 1, 5 * 60 + 2),
                                  ("failed", "ERROR:  boom", 10 * 60 + 3, 10 * 60 + 4)])
    sql("SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = %s",
        (prefix + "fast",))
    sql("SELECT cron.unschedule(%s)", (prefix + "gone",))

    since = ["--since", f"{(datetime.now(UTC) - T0).days + 5}d"]
    logs = json.loads(cli("logs", "nightly", "--json", *since, env=env).out)
    runs = logs["runs"] if isinstance(logs, dict) else logs
    assert [(r["state"], r["due"]) for r in runs] == [
        ("in-flight", "2026-03-04T03:00:00+00:00"), ("failed", "2026-03-03T03:00:00+00:00"),
        ("delivered", "2026-03-02T03:00:00+00:00")]
    assert runs[1]["error"] == "ERROR:  relation \"x\" does not exist"
    assert runs[2]["duration_ms"] == 1000 and runs[2]["error"] is None
    failed = json.loads(cli("logs", "--json", "--status", "failed", *since, env=env).out)
    failed = failed["runs"] if isinstance(failed, dict) else failed
    assert sorted((r["job"], r["state"]) for r in failed) == [("fast", "failed")] * 2 + [
        ("nightly", "failed")]

    stats = json.loads(cli("stats", "--json", *since, env=env).out)
    rows = {s["job"]: s for s in (stats["jobs"] if isinstance(stats, dict) else stats)}
    assert (rows["nightly"]["runs"], rows["nightly"]["delivered"], rows["nightly"]["failed"],
            rows["nightly"]["in_flight"]) == (3, 1, 1, 1)
    assert rows["nightly"]["success_rate"] == 0.5
    assert rows["fast"]["consecutive_failures"] == 2

    config = load_config(path, env)
    target = target_class("pg_cron")(config)
    found, requests = target.observed(config.jobs, since_ms=_ms(T0), until_ms=_ms(T0) + 3 * 86400e3)
    assert requests == 1
    by = sorted((o.job, o.slot_ms, o.outcome, o.ended_ms is None) for o in found)
    assert by == sorted([
        ("nightly", _ms(T0), "ok", False), ("nightly", _ms(T0) + 86400_000, "failed", False),
        ("nightly", _ms(T0) + 2 * 86400_000, "running", True),
        ("fast", _ms(T0) + 300_000, "failed", False), ("fast", _ms(T0) + 600_000, "failed",
                                                        False)])
    # an observation window ends before the runs after it
    early, _ = target.observed(config.jobs, since_ms=_ms(T0), until_ms=_ms(T0) + 240_000)
    assert sorted(o.job for o in early) == ["nightly"]

    live = target.liveness(config.jobs)
    assert live["nightly"].present and not live["nightly"].paused and live["nightly"].drift is None
    assert live["nightly"].since_ms == _ms(T0) + 1000  # the first run pg_cron recorded
    assert live["fast"].paused and "inactive" in live["fast"].drift
    assert not live["gone"].present and "missing" in live["gone"].drift
