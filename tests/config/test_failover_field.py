"""`failover:` on a job names another registered target (issue 28 item 6)."""

from __future__ import annotations

FILE = """\
version: 1
project: acme
base_url: https://a.example.com
jobs:
  own:
    tier: business
    path: /x
    schedule: "* * * * *"
    failover: qstash
  nowhere:
    tier: business
    path: /y
    schedule: "* * * * *"
    failover: nowhere
  fine:
    tier: business
    path: /z
    schedule: "* * * * *"
    failover: runner
"""


def test_failover_names_another_target(cli, write_config):
    write_config(FILE)
    code, out, err = cli("validate")
    assert code == 2
    assert "schedules.yaml:9:15: error: job 'own', failover: 'qstash' is the job's own " \
        "target" in err
    assert "schedules.yaml:14:15: error: job 'nowhere', failover: 'nowhere' is not a " \
        "target" in err
    assert "'fine'" not in err and "2 errors" in err
