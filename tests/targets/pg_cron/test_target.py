"""The pg_cron target against a real PostgreSQL with pg_cron: `cronctl schedule` creates jobs
with cron.schedule, a second run changes nothing, other names are never touched, pause and
resume go through cron.alter_job, and the bearer stays in the database."""

from __future__ import annotations

import json
import uuid

import pytest

SECRET = "s3cr3t-bearer-" + uuid.uuid4().hex


def _project() -> str:
    return "p" + uuid.uuid4().hex[:10]


JOBS = """
cleanup:
  target: pg_cron
  path: /api/cron/cleanup
  schedule: "0 3 * * *"
  body: {full: true, note: "it's C:\\\\tmp \\"q\\""}
  timeout: 30s
ping:
  target: pg_cron
  path: /api/cron/ping
  method: GET
  schedule: "*/10 * * * *"
refresh:
  target: pg_cron
  sql: "SELECT 1"
  schedule: "@hourly"
"""


@pytest.fixture
def env(cron_url):
    return {"SUPABASE_DB_URL": cron_url}


def _jobs(sql, project: str) -> dict[str, tuple]:
    rows = sql("SELECT jobname, schedule, command, active FROM cron.job WHERE jobname LIKE %s",
               (f"cronctl.{project}.%",))
    return {r[0].split(".", 2)[2]: r[1:] for r in rows}


def test_schedule_creates_jobs_and_a_second_run_changes_nothing(cli, pg_file, env, sql):
    project = _project()
    pg_file(project, JOBS)
    sql("SELECT cron.schedule('nightly-vacuum', '0 4 * * *', 'VACUUM')")
    sql("SELECT cron.schedule(%s, '0 5 * * *', 'SELECT 2')", (f"cronctl.other{project}.job",))
    foreign = sql("SELECT jobid, jobname, schedule, command, active FROM cron.job "
                  "WHERE jobname NOT LIKE %s ORDER BY jobid", (f"cronctl.{project}.%",))

    r = cli("schedule", "--yes", env=env)
    assert r.code == 0, r.out + r.err
    jobs = _jobs(sql, project)
    assert set(jobs) == {"cleanup", "ping", "refresh"}
    assert jobs["refresh"] == ("@hourly", "SELECT 1", True)
    assert jobs["ping"][0] == "*/10 * * * *"

    listed = cli("list", "--json", env=env)
    assert listed.code == 0, listed.err
    rows = {r["name"]: r for r in json.loads(listed.out)["jobs"]}
    assert {rows[n]["status"] for n in ("cleanup", "ping", "refresh")} == {"in sync"}
    assert rows["ping"]["next_run"].endswith("0:00+00:00")
    again = cli("diff", "--exit-code", env=env)
    assert again.code == 0, again.out + again.err
    r = cli("diff", "--json", env=env)
    data = json.loads(r.out)
    plan = data["pg_cron"]
    assert not plan["changes"] and plan["summary"]["unchanged"] == 3
    assert {"nightly-vacuum", f"cronctl.other{project}.job"} <= set(plan["unmanaged"])

    # a job removed from the file is unscheduled; the foreign ones stay exactly as they were
    pg_file(project, JOBS.split("ping:")[0])
    r = cli("schedule", "--yes", env=env)
    assert r.code == 0, r.out + r.err
    assert set(_jobs(sql, project)) == {"cleanup"}
    assert sql("SELECT jobid, jobname, schedule, command, active FROM cron.job "
               "WHERE jobname NOT LIKE %s ORDER BY jobid", (f"cronctl.{project}.%",)) == foreign
    sql("SELECT cron.unschedule(%s)", (f"cronctl.other{project}.job",))


def test_an_update_is_an_upsert_on_the_job_name(cli, pg_file, env, sql):
    project = _project()
    pg_file(project, JOBS)
    assert cli("schedule", "--yes", env=env).code == 0
    ids = sql("SELECT jobname, jobid FROM cron.job WHERE jobname LIKE %s",
              (f"cronctl.{project}.%",))
    pg_file(project, JOBS.replace("@hourly", "15 * * * *"))
    r = cli("diff", env=env)
    assert "refresh" in r.out and "15 * * * *" in r.out
    assert cli("schedule", "--yes", env=env).code == 0
    assert _jobs(sql, project)["refresh"][0] == "15 * * * *"
    assert sql("SELECT jobname, jobid FROM cron.job WHERE jobname LIKE %s",
               (f"cronctl.{project}.%",)) == ids  # the same rows: history stays with them


def test_the_bearer_is_read_in_the_database_never_written_into_cron_job(
        cli, pg_file, env, sql, net_stand_in):
    project = _project()
    pg_file(project, JOBS)
    sql(f"ALTER DATABASE cron SET app.cron_secret = '{SECRET}'")
    r = cli("schedule", "--yes", env={**env, "CRON_SECRET": SECRET})
    assert r.code == 0, r.out + r.err
    assert SECRET not in r.out + r.err
    everything = json.dumps(sql("SELECT * FROM cron.job"), default=str)
    assert SECRET not in everything
    # run each HTTP job's command as pg_cron would: it binds to pg_net's signature and sends
    # the secret it reads from the setting at run time
    # (with standard_conforming_strings off too: the body's backslash is quoted either way)
    import psycopg

    for name, conforming in (("cleanup", "on"), ("cleanup", "off"), ("ping", "on")):
        command = _jobs(sql, project)[name][1]
        with psycopg.connect(env["SUPABASE_DB_URL"], autocommit=True) as conn:
            conn.execute(f"SET standard_conforming_strings = {conforming}")
            request_id = conn.execute(command).fetchone()[0]
            call = conn.execute("SELECT method, url, body, headers, timeout_milliseconds "
                                "FROM net.calls WHERE id = %s", (request_id,)).fetchone()
        if name == "cleanup":
            assert call == ("POST", "https://app.example.com/api/cron/cleanup",
                            {"full": True, "note": "it's C:\\tmp \"q\""},
                            {"Content-Type": "application/json",
                             "Authorization": f"Bearer {SECRET}"}, 30000)
        else:
            assert call == ("GET", "https://app.example.com/api/cron/ping", None,
                            {"Authorization": f"Bearer {SECRET}"}, 5000)


def test_vault_bearer_reads_supabase_vault(cli, pg_file, env, sql, net_stand_in):
    """vault.decrypted_secrets is Supabase Vault's view (supabase/vault: name, decrypted_secret);
    here a table of those two columns stands in for it."""
    project = _project()
    sql("CREATE SCHEMA IF NOT EXISTS vault")
    sql("CREATE TABLE IF NOT EXISTS vault.decrypted_secrets (name text, decrypted_secret text)")
    sql("INSERT INTO vault.decrypted_secrets VALUES (%s, %s)", (project, SECRET))
    pg_file(project, JOBS, bearer=f"vault:{project}")
    assert cli("schedule", "--yes", env=env).code == 0
    command = _jobs(sql, project)["ping"][1]
    assert SECRET not in command and "vault.decrypted_secrets" in command
    request_id = sql(command)[0][0]
    headers = sql("SELECT headers FROM net.calls WHERE id = %s", (request_id,))[0][0]
    assert headers == {"Authorization": f"Bearer {SECRET}"}


def test_pause_and_resume_through_alter_job(cli, pg_file, env, sql):
    project = _project()
    pg_file(project, JOBS)
    assert cli("schedule", "--yes", env=env).code == 0
    assert cli("pause", "refresh", env=env).code == 0
    assert _jobs(sql, project)["refresh"][2] is False
    r = cli("diff", env=env)
    assert "resume" in r.out.lower() or "refresh" in r.out
    assert cli("resume", "refresh", env=env).code == 0
    assert _jobs(sql, project)["refresh"][2] is True
    # enabled: false in the file: created inactive, and a second run changes nothing
    pg_file(project,
          JOBS.replace('sql: "SELECT 1"', 'sql: "SELECT 1"\n  enabled: false'))
    assert cli("schedule", "--yes", env=env).code == 0
    assert _jobs(sql, project)["refresh"][2] is False
    assert cli("diff", "--exit-code", env=env).code == 0


def test_a_missing_database_url_is_one_clear_message(cli, pg_file):
    pg_file(_project(), JOBS)
    r = cli("schedule", "--yes")
    assert r.code != 0
    assert "SUPABASE_DB_URL" in r.err and "Traceback" not in r.err


def test_an_unreachable_database_hides_its_password(cli, pg_file):
    pg_file(_project(), JOBS)
    r = cli("diff", env={"SUPABASE_DB_URL": "postgresql://u:hunter2@127.0.0.1:1/postgres"})
    assert r.code != 0
    assert "hunter2" not in r.out + r.err and "Traceback" not in r.err
    assert "127.0.0.1" in r.err


def _checks(cli, env) -> dict:
    r = cli("probe", "--json", env=env)
    data = json.loads(r.out)
    return {c["name"]: c for c in data["checks"]}


def test_probe_reports_version_bearer_sync_and_retention(cli, pg_file, env, sql):
    project = _project()
    pg_file(project, JOBS, bearer=f"setting:app.unset_{project}", version="1.6")
    checks = _checks(cli, env)
    assert checks["pg_cron database"]["status"] == "ok"
    assert "1.4" in checks["pg_cron version"]["detail"]  # the server is 1.4, the file says 1.6
    assert checks["bearer"]["status"] == "fail"
    assert checks["pg_net"]["status"] == "fail"  # this database has none (net_stand_in aside)
    assert checks["pg_cron jobs"]["status"] == "warn"  # not scheduled yet
    retention = checks["cron.job_run_details"]
    assert retention["status"] in ("ok", "warn") and "never deletes" in retention["detail"]


def test_retention_advice_when_run_details_pile_up(sql):
    from cronctl.targets.pg_cron.probe import CLEANUP, retention

    class Old:
        def run_details_count(self):
            from datetime import UTC, datetime, timedelta

            return 12, datetime.now(UTC) - timedelta(days=90)

    check = retention(Old())
    assert check.status == "warn" and "cron.job_run_details" in check.hint
    # the advised cleanup is a valid pg_cron job on the real server
    sql("BEGIN")
    try:
        assert sql(CLEANUP)[0][0] > 0
    finally:
        sql("ROLLBACK")


def test_trigger_is_refused_with_pg_crons_own_way(cli, pg_file, env):
    pg_file(_project(), JOBS)
    r = cli("trigger", "refresh", "--yes", env=env)
    assert r.code == 2, r.out + r.err
    assert "cron.job" in r.err and "Traceback" not in r.err


def test_a_change_the_server_refuses_fails_alone_with_its_message(cli, pg_file, env, sql):
    """The file says 1.6 and uses `$`; Debian's 1.4.2 refuses it: that job fails with
    pg_cron's own message, exit 1, and the other jobs are scheduled."""
    project = _project()
    pg_file(project, JOBS + '\nmonth-end:\n  target: pg_cron\n  sql: "SELECT 3"\n'
            '  schedule: "0 23 $ * *"\n', version="1.6")
    r = cli("schedule", "--yes", env=env)
    assert r.code == 1, r.out + r.err
    assert "invalid schedule: 0 23 $ * *" in r.out + r.err
    assert set(_jobs(sql, project)) == {"cleanup", "ping", "refresh"}


def test_a_rename_moves_the_job_to_its_new_name(cli, pg_file, env, sql):
    project = _project()
    pg_file(project, JOBS)
    assert cli("schedule", "--yes", env=env).code == 0
    pg_file(project, JOBS.replace("refresh:\n", "reports:\n  renamed_from: refresh\n"))
    r = cli("schedule", "--yes", env=env)
    assert r.code == 0, r.out + r.err
    jobs = _jobs(sql, project)
    assert set(jobs) == {"cleanup", "ping", "reports"}
    assert jobs["reports"] == ("@hourly", "SELECT 1", True)
    assert cli("diff", "--exit-code", env=env).code == 0


def test_job_names_past_63_bytes_are_refused_for_1_4_as_the_engine_cuts_them(cli, pg_file, sql):
    long = "x" * 60
    sql("BEGIN")
    try:
        sql("SELECT cron.schedule(%s, '0 0 * * *', 'SELECT 1')", (long + "-tail",))
        kept = sql("SELECT jobname FROM cron.job WHERE jobname LIKE %s", (long + "%",))[0][0]
    finally:
        sql("ROLLBACK")
    assert kept == (long + "-tail")[:63]  # the engine's rule the check below follows
    pg_file("demo", f'{long}:\n  target: pg_cron\n  sql: "SELECT 1"\n  schedule: "0 0 * * *"\n')
    r = cli("validate")
    assert r.code == 2 and "cut at 63" in r.out + r.err
    pg_file("demo", f'{long}:\n  target: pg_cron\n  sql: "SELECT 1"\n  schedule: "0 0 * * *"\n',
            version="1.6")
    assert cli("validate").code == 0


def test_pausing_a_job_not_in_cron_job_says_so(cli, pg_file, env):
    pg_file(_project(), JOBS)
    r = cli("pause", "refresh", env=env)
    assert r.code == 1, r.out + r.err
    assert "is not in cron.job" in r.err and "cronctl schedule" in r.err


def test_adopt_replaces_a_hand_made_job_with_the_same_schedule_and_command(cli, pg_file, env,
                                                                           sql):
    project = _project()
    pg_file(project, JOBS)
    sql("SELECT cron.schedule(%s, '@hourly', 'SELECT 1')", (f"by-hand-{project}",))
    sql("SELECT cron.schedule(%s, '@hourly', 'SELECT 1')", (f"cronctl.x{project}.refresh",))
    assert cli("schedule", "--yes", "--adopt", env=env).code == 0
    assert set(_jobs(sql, project)) == {"cleanup", "ping", "refresh"}
    assert not sql("SELECT 1 FROM cron.job WHERE jobname = %s", (f"by-hand-{project}",))
    # another cronctl project's job with the same schedule and command stays
    assert sql("SELECT 1 FROM cron.job WHERE jobname = %s", (f"cronctl.x{project}.refresh",))
    sql("SELECT cron.unschedule(%s)", (f"cronctl.x{project}.refresh",))
