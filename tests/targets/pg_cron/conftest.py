"""A real PostgreSQL with Debian's pg_cron loaded (postgresql-15-cron, installed by .ci/run):
`shared_preload_libraries = 'pg_cron'`, `cron.database_name` set, `CREATE EXTENSION pg_cron`.
The scheduler connects back for each run through the cluster's unix socket (`cron.host`)."""

from __future__ import annotations

import pytest

from cronctl.testing.postgres import PostgresServer

CRON_DB = "cron"


class CronServer(PostgresServer):
    def __init__(self) -> None:
        super().__init__(library="pg_cron")

    def start(self) -> CronServer:
        self.options.update({"shared_preload_libraries": "pg_cron",
                             "cron.database_name": CRON_DB, "cron.host": str(self.root)})
        super().start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {CRON_DB}")
        with psycopg.connect(self.url(CRON_DB), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_cron")
        return self


@pytest.fixture(scope="session")
def cron_server():
    server = CronServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cron_url(cron_server) -> str:
    """The database pg_cron runs in (each test keeps to its own cronctl project's jobs)."""
    return cron_server.url(CRON_DB)


@pytest.fixture
def sql(cron_url):
    """Run one statement in the cron database; returns the rows."""
    import psycopg

    conns = []

    def run(query: str, params: tuple | dict = ()) -> list[tuple]:
        if not conns:
            conns.append(psycopg.connect(cron_url, autocommit=True))
        cur = conns[0].execute(query, params)
        return cur.fetchall() if cur.description else []

    yield run
    for conn in conns:
        conn.close()


# A stand-in of pg_net's SQL signature only (Debian does not package pg_net): the two functions
# cronctl's commands call, with the exact parameters, types and defaults of sql/pg_net.sql in
# supabase/pg_net (commit 68ef0bf), recording each call instead of sending it. It proves the
# generated commands bind to pg_net's signature and read the bearer when they run; it says
# nothing about pg_net's HTTP behaviour.
NET_STAND_IN = """
CREATE SCHEMA IF NOT EXISTS net;
CREATE TABLE IF NOT EXISTS net.calls (id bigserial PRIMARY KEY, method text, url text,
    body jsonb, params jsonb, headers jsonb, timeout_milliseconds int);
CREATE OR REPLACE FUNCTION net.http_get(url text, params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb, timeout_milliseconds int default 5000)
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO net.calls (method, url, params, headers, timeout_milliseconds)
    VALUES ('GET', url, params, headers, timeout_milliseconds) RETURNING id $$;
CREATE OR REPLACE FUNCTION net.http_post(url text, body jsonb default '{}'::jsonb,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds int DEFAULT 5000)
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO net.calls (method, url, body, params, headers, timeout_milliseconds)
    VALUES ('POST', url, body, params, headers, timeout_milliseconds) RETURNING id $$;
"""


@pytest.fixture(scope="session")
def net_stand_in(cron_server, cron_url):
    import psycopg

    with psycopg.connect(cron_url, autocommit=True) as conn:
        conn.execute(NET_STAND_IN)
    return cron_url


@pytest.fixture
def pg_file(write_config):
    """Write a schedules.yaml of pg_cron jobs (the database from ${SUPABASE_DB_URL})."""
    import textwrap

    def write(project: str, jobs: str, *, bearer: str = "setting:app.cron_secret",
              version: str = "1.4"):
        body = textwrap.indent(textwrap.dedent(jobs).strip(), "  ")
        return write_config(
            f"version: 1\nproject: {project}\nbase_url: https://app.example.com\n"
            f"pg_cron:\n  database_url: ${{SUPABASE_DB_URL}}\n  bearer: {bearer}\n"
            f"  version: \"{version}\"\njobs:{' {}' if not body else ''}\n{body}\n")

    return write
