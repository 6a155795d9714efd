"""A real PostgreSQL with Debian's pg_cron loaded (postgresql-15-cron, installed by .ci/run):
`shared_preload_libraries = 'pg_cron'`, `cron.database_name` set, `CREATE EXTENSION pg_cron`.
The scheduler connects back for each run through the cluster's unix socket (`cron.host`)."""

from __future__ import annotations

import pytest

from cronctl.testing.postgres import PostgresServer

CRON_DB = "cron"


class CronServer(PostgresServer):
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
