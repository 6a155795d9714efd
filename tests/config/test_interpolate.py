"""`${VAR}` and `${VAR:-default}`: a warning in `validate`, an error where the value is needed."""

from __future__ import annotations

import json

from cronctl.config.interpolate import has_placeholder, interpolate

FILE = """\
version: 1
project: acme
base_url: ${APP_URL:-http://localhost:3000}
defaults:
  headers:
    Authorization: Bearer ${CRON_SECRET}
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/${INFRA_SEGMENT}
    schedule: "0 6 * * *"
  reminders:
    tier: business
    path: /api/cron/reminders
    schedule: "0 9 * * *"
    headers:
      X-Tenant: ${TENANT_ID}
"""


def test_interpolate_replaces_defaults_and_records_unset():
    data = {"a": "${X}-${Y:-dflt}-${Z}", "b": ["${X}", 3], "c": {"d": "$${X} stays"}}
    out, unset, used = interpolate(data, {"X": "ex"})
    assert out == {"a": "ex-dflt-${Z}", "b": ["ex", 3], "c": {"d": "${X} stays"}}
    assert [(u.var, u.path) for u in unset] == [("Z", ("a",))]
    assert used == {"X": "ex"}


def test_empty_variable_counts_as_unset():
    out, unset, _ = interpolate({"a": "${E}", "b": "${E:-fallback}"}, {"E": ""})
    assert out == {"a": "${E}", "b": "fallback"}
    assert [u.var for u in unset] == ["E"]


def test_has_placeholder():
    assert has_placeholder("https://${HOST}/x")
    assert not has_placeholder("https://example.com/$HOME")


def test_validate_warns_about_unset_variables_and_exits_0(cli, write_config):
    path = write_config(FILE)
    code, out, err = cli("validate", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["valid"] is True and data["errors"] == 0 and data["warnings"] == 3
    found = {(p["message"], p["job"], p["field"], p["line"]) for p in data["problems"]}
    assert found == {
        ("${CRON_SECRET} is not set", None, "defaults.headers.Authorization", 6),
        ("${INFRA_SEGMENT} is not set", "keep-alive", "path", 10),
        ("${TENANT_ID} is not set", "reminders", "headers.X-Tenant", 17),
    }
    assert all(p["severity"] == "warning" and p["file"] == str(path) for p in data["problems"])
    assert all("export " in p["hint"] for p in data["problems"])

    code, out, err = cli("validate")
    assert code == 0
    assert "schedules.yaml:10:11: warning: job 'keep-alive', path: ${INFRA_SEGMENT} is not set" \
        in out
    assert "valid (1 infrastructure, 1 business jobs, 3 warning(s))" in out


def test_generate_fails_naming_variable_job_and_field(cli, write_config, project_dir):
    write_config(FILE)
    code, out, err = cli("generate")
    assert code == 2
    assert "${INFRA_SEGMENT} is not set (job 'keep-alive', field path)" in err
    assert "export INFRA_SEGMENT=" in err
    # business-only variables do not concern generate
    assert "TENANT_ID" not in err and "CRON_SECRET" not in err
    assert not (project_dir / "vercel.json").exists()
    assert "Traceback" not in err


def test_generate_ignores_business_only_variables(cli, write_config, project_dir):
    write_config(FILE)
    code, out, err = cli("generate", env={"INFRA_SEGMENT": "keep-alive"})
    assert code == 0, err
    crons = json.loads((project_dir / "vercel.json").read_text())["crons"]
    assert crons == [{"path": "/api/cron/keep-alive", "schedule": "0 6 * * *"}]


def test_commands_that_need_business_values_fail_before_any_network(cli, write_config):
    write_config(FILE)
    env = {"INFRA_SEGMENT": "keep-alive", "CRON_SECRET": "cron-secret-value",
           "QSTASH_TOKEN": "qstash-token-value", "QSTASH_URL": "http://127.0.0.1:9"}
    for args in (["diff"], ["schedule", "--dry-run"]):
        code, out, err = cli(*args, env=env)
        assert code == 2, (args, err)
        assert "${TENANT_ID} is not set (job 'reminders', field headers.X-Tenant)" in err
        assert "Traceback" not in err


def test_default_value_is_used(cli, write_config):
    write_config(FILE.replace("${INFRA_SEGMENT}", "${INFRA_SEGMENT:-keep-alive}"))
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    jobs = {j["name"]: j for j in json.loads(out)["jobs"]}
    assert jobs["keep-alive"]["path"] == "/api/cron/keep-alive"


def test_environment_overrides_default(cli, write_config):
    write_config(FILE.replace("${INFRA_SEGMENT}", "${INFRA_SEGMENT:-keep-alive}"))
    code, out, _ = cli("list", "--local", "--json", env={"INFRA_SEGMENT": "heartbeat"})
    assert code == 0
    jobs = {j["name"]: j for j in json.loads(out)["jobs"]}
    assert jobs["keep-alive"]["path"] == "/api/cron/heartbeat"


def test_interpolated_value_is_validated(cli, write_config):
    """A variable's value goes through the same rules as a literal."""
    write_config(FILE.replace("${INFRA_SEGMENT}", "${INFRA_SEGMENT}"))
    code, out, _ = cli("validate", "--json", env={"INFRA_SEGMENT": "a b"})
    assert code == 2
    (problem,) = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    assert (problem["job"], problem["field"], problem["line"]) == ("keep-alive", "path", 10)
    assert problem["message"] == "path '/api/cron/a b' contains whitespace or a control character"


def test_base_url_from_environment_must_be_http(cli, write_config):
    write_config(FILE)
    code, out, _ = cli("validate", "--json", env={"APP_URL": "localhost:3000"})
    assert code == 2
    errors = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    assert [(p["field"], p["line"]) for p in errors] == [("base_url", 3)]
    assert "is not an http(s) URL" in errors[0]["message"]


def test_secret_values_are_not_printed(cli, write_config):
    write_config(FILE)
    code, out, err = cli("list", "--local", "--json",
                         env={"INFRA_SEGMENT": "x", "TENANT_ID": "tenant-very-secret-id"})
    assert code == 0
    assert "tenant-very-secret-id" not in out + err


def test_header_value_with_newline_from_the_environment(cli, write_config):
    write_config(FILE)
    code, out, _ = cli("validate", "--json", env={"INFRA_SEGMENT": "x", "TENANT_ID": "t1\nX: y"})
    assert code == 2
    (problem,) = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    assert (problem["job"], problem["field"], problem["line"]) == (
        "reminders", "headers.X-Tenant", 17)
    assert problem["message"] == "header value contains a line break or NUL"
    assert "environment variable" in problem["hint"]
