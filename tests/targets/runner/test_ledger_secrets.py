"""No secret reaches the ledger, and a command gets only its own environment (issue 30, 1).

Each test reads the ledger's rows back with plain SQL (not through cronctl's presenters,
which mask on output): what is stored is what a backup or a DBA sees."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from cronctl.targets.runner.masking import LedgerMask

from .conftest import runner_file
from .test_commands import _env

API_KEY = "api-key-9f8e7d6c5b4a"
QSTASH = "qstash-token-0a1b2c3d4e5f"
UI = "alice:admin:ui-token-aaaabbbbccccdddd"
DB_PASS = "pg-pass-77665544"
CRON_SECRET = "cron-secret-1234567890"
SHORT = "s3Cr"  # a short secret-named variable: a secret is a secret
SHOW_ENV = "import json, os; print(json.dumps(sorted(os.environ)))"


def _stored(db: str) -> str:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT * FROM job_executions").fetchall()
        rows += conn.execute("SELECT * FROM runner_jobs").fetchall()
        return json.dumps(rows)
    finally:
        conn.close()


def _env_of_runner(**extra) -> dict[str, str]:
    return {"API_KEY": API_KEY, "QSTASH_TOKEN": QSTASH, "CRONCTL_UI_TOKENS": UI,
            "CRON_SECRET": CRON_SECRET, "CRONCTL_DATABASE_URL": "", "PIN_PASSWORD": SHORT,
            "DATABASE_URL": f"postgresql://app:{DB_PASS}@db/app", "PATH": "/usr/bin:/bin",
            "HOME": "/tmp", "LANG": "C.UTF-8", "SHARED_NAME": "shared-value-1", **extra}


def test_secrets_printed_by_a_command_are_masked_in_every_stored_column(tmp_path, clock,
                                                                        make_runner):
    path = runner_file(tmp_path, f"""
        leak:
          target: runner
          command: ["{sys.executable}", "-c", "import os, sys; print(os.environ['KEY'],
            sys.argv[1:], '${{PIN_PASSWORD}}'); sys.exit(3)", "${{QSTASH_TOKEN}}",
            "${{DATABASE_URL}}", "{CRON_SECRET}", "{UI.rpartition(':')[2]}"]
          env: {{KEY: "${{API_KEY}}"}}
          schedule: "* * * * *"
          notify: ["json://hook.example:{DB_PASS}@127.0.0.1:9/x"]
    """)
    r = make_runner(path, env=_env_of_runner())
    clock.advance(30)
    r.tick()
    r.wait_idle()
    row = r.ledger.runs(["leak"])[0]
    assert row.exit_code == 3 and "***" in row.result
    stored = _stored(r.ledger.url)
    for secret in (API_KEY, QSTASH, DB_PASS, CRON_SECRET, UI.rpartition(":")[2], SHORT):
        assert secret not in stored, secret
    assert "***" in stored


def test_a_command_gets_only_its_env_the_base_set_and_pass_env(tmp_path, clock, make_runner):
    path = runner_file(tmp_path, f"""
        show:
          target: runner
          command: ["{sys.executable}", "-c", "{SHOW_ENV}"]
          env: {{OWN: "yes"}}
          pass_env: [SHARED_NAME]
          schedule: "* * * * *"
    """)
    r = make_runner(path, env=_env_of_runner(PYTHONPATH="x", AWS_REGION="eu"))
    clock.advance(30)
    r.tick()
    r.wait_idle()
    names = set(json.loads(r.ledger.runs(["show"])[0].result))
    assert {"OWN", "SHARED_NAME", "PATH", "HOME", "LANG", "CRONCTL_RUN_ID"} <= names
    assert not names & {"API_KEY", "QSTASH_TOKEN", "CRONCTL_UI_TOKENS", "CRON_SECRET",
                        "DATABASE_URL", "CRONCTL_DATABASE_URL", "AWS_REGION", "PIN_PASSWORD"}


def test_pass_env_is_validated_and_applies_to_command_jobs_only(tmp_path):
    from cronctl.config.load import inspect_config

    path = runner_file(tmp_path, """
        a:
          target: runner
          command: ["true"]
          pass_env: ["NOT-A-NAME"]
          schedule: "* * * * *"
        b:
          target: runner
          path: /x
          pass_env: [HOME]
          schedule: "* * * * *"
    """)
    config, items = inspect_config(path, {})
    assert config is None
    text = "\n".join(str(i) for i in items)
    assert "pass_env" in text and "command jobs only" in text


def test_exec_passes_its_callers_environment_without_cronctls_own(tmp_path):
    runner_file(tmp_path, """
        report:
          target: runner
          command: ["true"]
          schedule: "0 3 * * *"
    """)
    env = _env(CRONCTL_UI_TOKENS=UI, APP_SETTING="kept")
    done = subprocess.run([sys.executable, "-m", "cronctl", "exec", "report", "--",
                           sys.executable, "-c", SHOW_ENV],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = set(json.loads(done.stdout))
    assert "APP_SETTING" in names and "CRONCTL_UI_TOKENS" not in names


def test_the_recorded_job_specs_hold_no_secret_and_plan_no_change(write_config, cli):
    project = write_config("""\
        version: 1
        project: demo
        jobs:
          call:
            target: runner
            command: [curl, "https://example.com/?token=${SERVICE_TOKEN}"]
            schedule: "* * * * *"
    """)
    env = {"SERVICE_TOKEN": QSTASH}
    code, _, err = cli("schedule", "--yes", env=env)
    assert code == 0, err
    assert QSTASH not in _stored(str(project.parent / ".cronctl/runner.sqlite3"))
    code, out, err = cli("diff", "--json", "--exit-code", env=env)
    assert code == 0 and json.loads(out)["runner"]["changes"] == [], (out, err)


def test_the_mask_knows_the_environments_and_the_files_secrets():
    mask = LedgerMask(None, {"CRONCTL_UI_TOKENS": f"{UI}, bob:viewer:bob-token-123456789",
                             "CRONCTL_DATABASE_URL": f"postgresql://u:{DB_PASS}@h/db",
                             "MY_SERVICE_TOKEN": "abcd", "REGION": "eu"})
    text = mask.text(f"{UI} bob-token-123456789 {DB_PASS} token=abcd eu-west")
    assert text == "alice:admin:*** *** *** token=*** eu-west"


def test_a_schedule_from_a_variable_stays_readable_in_the_recorded_spec(write_config, cli):
    project = write_config("""\
        version: 1
        project: demo
        jobs:
          every:
            target: runner
            command: [echo, "${SERVICE_TOKEN}"]
            schedule: "${CRON_EXPR}"
    """)
    env = {"SERVICE_TOKEN": QSTASH, "CRON_EXPR": "*/5 * * * *"}
    assert cli("schedule", "--yes", env=env).code == 0
    stored = _stored(str(project.parent / ".cronctl/runner.sqlite3"))
    assert "*/5 * * * *" in stored and QSTASH not in stored
    code, out, err = cli("list", "--json", env=env)
    assert code == 0, err
    [row] = json.loads(out)["jobs"]
    assert row["schedule"] == "*/5 * * * *" and row["next_run"], row
