"""The ledger's database password never reaches a message, however the URL is written: a '/',
'@', '?' or '#' left unencoded in it moves where libpq splits the URL, so pieces of the password
land in psycopg's errors as a host or a database name."""

from __future__ import annotations

import pytest

FILE = """\
version: 1
project: demo
base_url: http://127.0.0.1:3000
runner:
  database: ${DBURL}
jobs:
  a:
    target: runner
    path: /api/a
    schedule: "0 * * * *"
"""


@pytest.mark.hardening
@pytest.mark.parametrize("password",
                         ["Sup3r/Secret-Pass", "Sup3r@Secret-Pass", "Sup3r?Secret#Pass"])
@pytest.mark.parametrize("command", [("list",), ("logs", "a", "--json"), ("verify",)])
def test_an_unencoded_password_never_reaches_a_message(cli, write_config, password, command):
    write_config(FILE)
    result = cli(*command, env={"DBURL": f"postgresql://user:{password}@127.0.0.1:9/db"})
    shown = result.out + result.err
    assert "cannot connect" in shown or result.code == 0, shown
    for piece in ("Sup3r", "Secret", "Pass"):
        assert piece not in shown, shown
