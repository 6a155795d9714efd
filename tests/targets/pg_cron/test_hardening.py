"""A hostile review of the pg_cron target: secrets never reach cron.job.command or output, a
database URL's password never reaches a message whatever its form, and user-caused failures
end in one clear message (no traceback)."""

from __future__ import annotations

import uuid

import pytest

KEY = "k3y-" + uuid.uuid4().hex
PASSWORD = "pw-" + uuid.uuid4().hex[:12]


def _project() -> str:
    return "h" + uuid.uuid4().hex[:10]


def _commands(sql, project: str) -> list[str]:
    rows = sql("SELECT command FROM cron.job WHERE jobname LIKE %s", (f"cronctl.{project}.%",))
    return [r[0] for r in rows]


@pytest.mark.parametrize("job", [
    'sql: "SELECT set_config(\'app.key\', \'${API_KEY}\', false)"',
    'path: /api/cron/sync\n  body: {token: "${API_KEY}"}',
    'path: /api/cron/${API_KEY}',
], ids=["sql", "body", "path"])
def test_a_secret_from_a_variable_never_reaches_cron_job_command(cli, pg_file, cron_url, sql,
                                                                 job):
    project = _project()
    path = pg_file(project, f"leaky:\n  target: pg_cron\n  schedule: '0 3 * * *'\n  {job}\n")
    env = {"SUPABASE_DB_URL": cron_url, "API_KEY": KEY}
    for args in (("diff", "--json"), ("schedule", "--yes"), ("schedule", "--yes", "--debug")):
        r = cli(*args, env=env)
        assert r.code == 2, (args, r.out, r.err)
        assert KEY not in r.out + r.err
        assert "--debug" in args or "Traceback" not in r.err
        assert f"{path}:" in r.err and "leaky" in r.err and "secret" in r.err
    assert _commands(sql, project) == []


@pytest.mark.parametrize("url", [
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/postgres",
    f"postgresql://u:{PASSWORD}/x@127.0.0.1:1/postgres",  # a '/' in it, not percent-encoded
    f"postgresql://u:{PASSWORD}@x@127.0.0.1:1/postgres",  # an '@' in it
    f"host=127.0.0.1 port=1 user=u password={PASSWORD} dbname=postgres",  # key=value
    f"host=127.0.0.1 port=1 password='{PASSWORD} x' dbname=postgres",
    f"postgresql://u:{PASSWORD}@127.0.0.1:notaport/postgres",  # malformed
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/postgres?sslmode=bogus",  # malformed option
    f"host=127.0.0.1 password={PASSWORD} nonsense",  # malformed key=value
], ids=["url", "slash", "at", "keyvalue", "quoted", "port", "option", "broken"])
@pytest.mark.parametrize("where", ["file", "environment"])
def test_a_database_url_password_never_reaches_a_message(cli, pg_file, write_config, url,
                                                         where):
    """pg_cron.database_url is checked to be a URL; PG_CRON_DATABASE_URL (the setting unset)
    is not, so a key=value string or a broken one reaches libpq, and its message."""
    path = pg_file(_project(), "ping:\n  target: pg_cron\n  sql: SELECT 1\n"
                   "  schedule: '@hourly'\n")
    if where == "environment":
        text = path.read_text()
        write_config(text[:text.index("pg_cron:")] + text[text.index("jobs:"):])
    name = "SUPABASE_DB_URL" if where == "file" else "PG_CRON_DATABASE_URL"
    for args in (("diff",), ("diff", "--json"), ("probe", "--json"), ("diff", "--debug")):
        r = cli(*args, env={name: url})
        assert r.code != 0, (args, r.out)
        assert PASSWORD not in r.out + r.err, (args, r.out + r.err)
        assert "--debug" in args or "Traceback" not in r.err, r.err


def test_another_roles_jobs_are_never_changed_even_as_a_superuser(cli, pg_file, cron_url,
                                                                  cron_server, sql):
    """A superuser sees every role's rows of cron.job (row-level security lets it): a job of
    another role, with cronctl's name or a matching schedule and command, is not cronctl's."""
    import psycopg

    project, role = _project(), "r" + uuid.uuid4().hex[:8]
    with psycopg.connect(cron_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
    theirs = [(f"cronctl.{project}.gone", "0 1 * * *"), (f"by-hand-{project}", "@hourly")]
    for name, when in theirs:
        sql("SELECT cron.schedule_in_database(%s, %s, 'SELECT 1', 'cron', %s, true)",
            (name, when, role))
    pg_file(project, "keep:\n  target: pg_cron\n  sql: SELECT 1\n  schedule: '@hourly'\n")
    env = {"SUPABASE_DB_URL": cron_url}
    r = cli("schedule", "--yes", "--adopt", env=env)
    assert r.code == 0, r.out + r.err
    rows = sql("SELECT jobname, username, active FROM cron.job WHERE jobname LIKE %s "
               "ORDER BY jobname", (f"%{project}%",))
    assert rows == [(f"by-hand-{project}", role, True),
                    (f"cronctl.{project}.gone", role, True),
                    (f"cronctl.{project}.keep", "cronctl", True)]
    assert cli("diff", "--exit-code", env=env).code == 0
    for name, _ in theirs:
        sql("DELETE FROM cron.job WHERE jobname = %s", (name,))


@pytest.mark.parametrize("expr", ["@hourly", "@daily", "@midnight"])
def test_a_macro_that_restricts_no_day_gets_no_either_warning(expr):
    """pg_cron's @hourly and @daily set every day-of-month and day-of-week bit without the
    '*' flags: either rule gives every day, so the EITHER warning was noise on every such
    job (and taught users to ignore it)."""
    from cronctl.targets.pg_cron.dialect import PgCronDialect

    d = PgCronDialect("1.6")
    assert d.validate(expr) == []
    assert any("EITHER" in p.message for p in d.validate("0 0 1-31 * 1"))  # still warned


@pytest.mark.parametrize("timeout", ["0s", "600h"])
def test_a_timeout_pg_net_cannot_take_is_refused_with_its_line(cli, pg_file, timeout):
    """timeout_milliseconds is an int: 600h (2,160,000,000 ms) made a command that binds to
    no pg_net function, so every run failed in the database; 0s made every call time out."""
    path = pg_file(_project(), "call:\n  target: pg_cron\n  path: /api/cron/x\n"
                   f"  timeout: {timeout}\n  schedule: '0 3 * * *'\n")
    r = cli("validate")
    assert r.code == 2, r.out + r.err
    assert f"{path}:" in r.out + r.err and "timeout" in r.out + r.err


def test_the_longest_timeout_allowed_binds_to_pg_nets_signature(sql, net_stand_in):
    from cronctl.targets.pg_cron.command import http_command
    from cronctl.targets.pg_cron.validate import MAX_TIMEOUT_S

    for timeout, binds in ((MAX_TIMEOUT_S, True), (MAX_TIMEOUT_S + 1, False)):
        command = http_command("https://a.example.com/x", "POST", {}, timeout, "none")
        if binds:
            assert sql(command)[0][0] > 0
        else:
            import psycopg

            with pytest.raises(psycopg.Error):
                sql(command)
