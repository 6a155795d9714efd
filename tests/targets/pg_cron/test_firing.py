"""(b) A job `cronctl schedule` created fires in pg_cron's real scheduler at the times `cronctl
next` printed; its runs then feed `cronctl logs`, `cronctl stats` and verify's observations.

pg_cron 1.4.2 (Debian's) has no `'N seconds'` schedules, so the jobs run every minute: the test
waits for the condition (runs recorded in cron.job_run_details for two printed times), with an
overall bound generous for a loaded machine, and never for a fixed time.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

BOUND_S = 300
LOAD_S = 5


@pytest.mark.long
def test_a_scheduled_job_fires_at_the_times_next_printed(cli, pg_file, cron_url, sql,
                                                         net_stand_in):
    project = "f" + uuid.uuid4().hex[:10]
    secret = "firing-" + uuid.uuid4().hex
    sql(f"ALTER DATABASE cron SET app.cron_secret = '{secret}'")
    table = f"fired_{project}"
    sql(f"CREATE TABLE {table} (at timestamptz)")
    jobs = f"""
tick:
  target: pg_cron
  sql: "INSERT INTO {table} VALUES (now())"
  schedule: "* * * * *"
call:
  target: pg_cron
  path: /api/cron/{project}
  schedule: "* * * * *"
broken:
  target: pg_cron
  sql: "SELECT 1/0"
  schedule: "* * * * *"
"""
    path = pg_file(project, jobs)
    env = {"SUPABASE_DB_URL": cron_url}
    assert cli("schedule", "--yes", env=env).code == 0
    try:
        scheduled = datetime.now(UTC)
        r = cli("next", "tick", "--json", "-n", "5", env=env)
        printed = [datetime.fromisoformat(x["utc"]) for x in json.loads(r.out)["runs"]]
        # the scheduler loads a new job at its next minute: wait for the two printed times
        # that come at least LOAD_S after the job was made
        wanted = [t for t in printed if (t - scheduled).total_seconds() >= LOAD_S][:2]

        def slots() -> dict[str, set]:
            rows = sql("SELECT j.jobname, d.start_time, d.status FROM cron.job_run_details d "
                       "JOIN cron.job j USING (jobid) WHERE j.jobname LIKE %s "
                       "AND d.status IN ('succeeded', 'failed')", (f"cronctl.{project}.%",))
            out: dict[str, set] = {}
            for name, start, status in rows:
                out.setdefault(name.rsplit(".", 1)[1], set()).add(
                    (start.replace(second=0, microsecond=0), status))
            return out

        deadline = time.monotonic() + BOUND_S
        while True:
            seen = slots()
            done = all({t for t, _ in seen.get(j, ())} >= set(wanted)
                       for j in ("tick", "call", "broken"))
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert done, (wanted, seen)
        for job in ("tick", "call", "broken"):
            # every run between the first and the last printed time is at a printed time
            later = sorted(t for t, _ in seen[job] if printed[0] <= t <= printed[-1])
            assert later and set(later) <= set(printed), (job, later, printed)
        assert {s for _, s in seen["tick"]} == {"succeeded"}
        assert {s for _, s in seen["broken"]} == {"failed"}
        assert sql(f"SELECT count(*) FROM {table}")[0][0] >= 2
        # the scheduler's own run of the HTTP job read the bearer from the database setting
        headers = sql("SELECT headers FROM net.calls WHERE url = %s",
                      (f"https://app.example.com/api/cron/{project}",))
        assert headers and all(h[0] == {"Content-Type": "application/json",
                                        "Authorization": f"Bearer {secret}"} for h in headers)

        # cronctl logs, stats and verify's observations read the same runs
        logs = json.loads(cli("logs", "broken", "--json", "--since", "1h", env=env).out)
        runs = logs["runs"] if isinstance(logs, dict) else logs
        assert runs and all(x["state"] == "failed" and "division by zero" in (x["error"] or "")
                            for x in runs)
        assert all(x["due"].endswith(":00+00:00") for x in runs)
        stats = json.loads(cli("stats", "--json", "--since", "1h", env=env).out)
        rows = stats["jobs"] if isinstance(stats, dict) else stats
        by_job = {x["job"]: x for x in rows}
        assert by_job["tick"]["success_rate"] == 1.0 and by_job["tick"]["runs"] >= 2
        assert by_job["broken"]["consecutive_failures"] >= 2
        _observed(path, project, wanted, env)
    finally:
        pg_file(project, "")
        cli("schedule", "--yes", env=env)
    assert not sql("SELECT 1 FROM cron.job WHERE jobname LIKE %s", (f"cronctl.{project}.%",))


def _observed(path, project, wanted, env):
    """What `cronctl verify` reads: one observation per run, its slot the start's minute, and
    each job live and active in cron.job."""
    from cronctl.config import load_config
    from cronctl.targets import target_class

    config = load_config(path, env)
    target = target_class("pg_cron")(config)
    since = int(wanted[0].timestamp() * 1000)
    found, requests = target.observed(config.jobs, since_ms=since,
                                      until_ms=int(wanted[-1].timestamp() * 1000) + 60_000)
    assert requests >= 1
    slots = {(o.job, o.slot_ms) for o in found}
    for job in ("tick", "call", "broken"):
        for t in wanted:
            assert (job, int(t.timestamp() * 1000)) in slots, (job, t)
    assert {o.outcome for o in found if o.job == "broken"} == {"failed"}
    assert all(o.source == "cron.job_run_details" and o.started_ms >= o.slot_ms for o in found)
    live = target.liveness(config.jobs)
    assert all(x.present and not x.paused and x.drift is None and x.since_ms is not None
               for x in live.values())
