"""Secrets never leave, and nothing is sent where it does not belong: the Secret type, the
scrubber (a backstop that never corrupts what is not secret), URL credentials, job paths that
would change the host, and header values that cannot be sent."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.hardening

HEAD = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
"""


def job(name: str, extra: str = "", path: str | None = None) -> str:
    text = (f"  {name}:\n    tier: business\n    path: {path or '/api/cron/' + name}\n"
            '    schedule: "0 9 * * *"\n')
    return text + "".join(f"    {line}\n" for line in extra.strip("\n").splitlines() if line)


def test_the_secret_type_renders_as_stars_everywhere():
    from cronctl.secrets import Secret, reveal

    s = Secret("tok-\t-value-1234")
    assert str(s) == repr(s) == f"{s}" == "***"
    assert json.dumps({"h": s}, default=str) == '{"h": "***"}'
    assert reveal(s) == "tok-\t-value-1234" and reveal("plain") == "plain"
    assert s == Secret("tok-\t-value-1234") and len({s, Secret("tok-\t-value-1234")}) == 1


def test_forwarded_header_values_are_secrets_in_the_loaded_config(write_config):
    from cronctl.config import load_config

    path = write_config(HEAD + job("a", "headers:\n  X-Api-Key: key-value-0123456789"))
    config = load_config(path)
    assert "key-value-0123456789" not in repr(config.jobs)


@pytest.mark.parametrize("header", ["X-Trigger: schedule", "X-Source: cron", "X-Tenant: acme"])
def test_the_scrubber_never_corrupts_what_is_not_secret(header, cli, write_config):
    write_config(HEAD + job("a"))
    plain = cli("list", "--local", "--json")
    write_config(HEAD + job("a", f"headers:\n  {header}"))
    with_header = cli("list", "--local", "--json")
    assert with_header.code == plain.code == 0
    assert json.loads(with_header.out) == json.loads(plain.out)
    text = cli("list", "--local")
    assert "***" not in text.out


def test_the_scrubber_catches_padded_escaped_and_debug_forms(project, monkeypatch):
    from cronctl import output

    output.add_secrets(["  padded-secret-0123 \n", "tab\tsecret-0123456"])
    text = output.redact("a padded-secret-0123 b 'tab\\tsecret-0123456' c tab\tsecret-0123456")
    assert "padded-secret" not in text and "secret-0123456" not in text
    # --debug: the traceback goes through the scrubber too.
    url = "http://user:hunter2-pass-0123@127.0.0.1:9"
    monkeypatch.setenv("QSTASH_URL", url)
    project.write(project.job("a"))
    for args in (("diff",), ("--debug", "diff"), ("probe",), ("probe", "--json")):
        result = project.run(*args)
        assert result.code in (1, 2), result
        assert "hunter2" not in result.out + result.err, args


def test_credentials_in_base_url_are_refused_and_never_printed(cli, write_config):
    write_config(HEAD.replace("https://app", "https://deploy:pw-secret-0123@app") + job("a"))
    for args in (("validate",), ("validate", "--json"), ("list", "--local", "--json"),
                 ("diff", "--json")):
        result = cli(*args)
        assert result.code == 2, (args, result)
        assert "pw-secret" not in result.out + result.err
    assert "base_url" in cli("validate").err


@pytest.mark.parametrize("path", [
    "/api/../../attacker.example.net/collect", "/api/./cron", "@attacker.example.net/x",
    "/@attacker.example.net", "//attacker.example.net/x", "/api/$${HOME}", "/api/cron?x=1",
    "/api/cron#frag", "/api/caf\u00e9", "/api/%2e%2e/x", "/api/a\\b", "/api/\x01",
])
def test_a_path_that_could_change_the_host_or_never_converge_is_refused(path, cli,
                                                                        write_config):
    quoted = json.dumps(path)
    write_config(HEAD + job("a", path=quoted))
    result = cli("validate")
    assert result.code == 2, result
    assert re.search(r"schedules\.yaml:7:\d+", result.err), result.err


def test_the_destination_sent_is_byte_identical_to_the_plan(project):
    every_allowed = "/api/cron/b-1_x.y~z:w!$&'()*+,;=/A9"
    project.write(project.job("a") + job("b-1", path=json.dumps(every_allowed)))
    plan = project.run("diff").out
    planned = dict(re.findall(r"\+ (\S+)\n\s+POST (\S+)", plan))
    assert set(planned) == {"a", "b-1"}, plan
    assert project.run("schedule", "--yes").code == 0
    sent = {s["scheduleId"]: s["destination"] for s in project.server.schedules()}
    assert sent == {f"cronctl.acme.{name}": dest for name, dest in planned.items()}
    assert sent["cronctl.acme.b-1"] == "https://app.example.com" + every_allowed
    again = project.run("schedule", "--yes")
    assert again.code == 0 and "No changes" in again.out  # it converged


@pytest.mark.parametrize("extra", [
    'headers:\n  X-Zone: "Z\u00fcrich"',
    'headers:\n  X-Tab: "a\\tb"',
    'headers:\n  "X-Name\\n": value',
    'headers:\n  X-Pad: "value "',
    'callback: "https://hooks.example.com/x\\r\\nX-Evil: 1"',
    'failure_callback: "/api/failed\\n"',
    'labels: ["ok", "bad\\n"]',
    'retry_delay: "1000\\n"',
])
def test_values_that_cannot_be_sent_are_refused_by_validate(extra, cli, write_config):
    write_config(HEAD + job("a", extra))
    result = cli("validate")
    assert result.code == 2, result
    assert re.search(r"schedules\.yaml:\d+:\d+", result.err)
    # The same in defaults:, which every business job inherits.
    indented = "".join(f"  {line}\n" for line in extra.splitlines())
    write_config(HEAD.replace("jobs:\n", "defaults:\n" + indented + "jobs:\n") + job("a"))
    result = cli("validate")
    assert result.code == 2, result
    assert re.search(r"schedules\.yaml:\d+:\d+", result.err)


def test_import_writes_placeholders_for_every_forwarded_value(project, snapshot):
    import httpx

    srv = project.server
    httpx.post(f"{srv.url}/v2/schedules/https://app.example.com/api/cron/x",
               headers={"Authorization": f"Bearer {srv.token}", "Upstash-Cron": "0 9 * * *",
                        "Upstash-Forward-X-Tenant": "tenant-value-7731",
                        "Upstash-Forward-X-Mode": "fast"}).raise_for_status()
    result = project.run("import", "-o", "imported.yaml", "--force")
    printed = project.run("import")
    assert result.code == printed.code == 0
    text = (project.folder / "imported.yaml").read_text()
    for blob in (text, printed.out, printed.err, result.out, result.err):
        assert "tenant-value-7731" not in blob and "fast" not in blob
    assert "${X_TENANT}" in text and "${X_MODE}" in text


@pytest.mark.parametrize("exc_type", ["CronctlError", "RuntimeError"])
def test_debug_tracebacks_go_through_the_scrubber(exc_type, project_dir, capsys):
    from cronctl import app, errors, output

    secret = "tok-in-a-traceback-0123"
    output.register_env_secrets({"QSTASH_TOKEN": secret})
    kind = getattr(errors, exc_type, None) or RuntimeError

    def body():
        raise kind(f"something failed near {secret!r}")

    code = app.run_guarded(body, debug=True)
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and "body" in err  # the traceback is shown ...
    assert secret not in err  # ... scrubbed


def test_a_header_value_of_the_wrong_type_is_reported_without_its_value(cli, write_config):
    write_config(HEAD + job("a", "headers:\n  X-Api-Key: 918273645501234"))
    for args in (("validate",), ("validate", "--json")):
        result = cli(*args)
        assert result.code == 2, result
        assert "918273645501234" not in result.out + result.err
        assert "X-Api-Key" in result.out + result.err


def test_a_callback_may_have_a_query_but_never_has_it_printed(cli, write_config):
    write_config(HEAD + job("a", "callback: https://hooks.example.com/x?token=cb-tok-9911"))
    assert cli("validate").code == 0
    write_config(HEAD + job("a", "callback: https://u:p@hooks.example.com/x?token=cb-tok-9911"))
    result = cli("validate")
    assert result.code == 2 and "callback" in result.err
    assert "cb-tok-9911" not in result.err and "u:p" not in result.err


def test_someone_elses_destination_credentials_are_never_listed(project):
    import httpx

    srv = project.server
    httpx.post(f"{srv.url}/v2/schedules/https://ops:pw-7731x@hooks.example.com/x?key=k-7731y",
               headers={"Authorization": f"Bearer {srv.token}", "Upstash-Cron": "0 9 * * *",
                        "Upstash-Schedule-Id": "legacy"}).raise_for_status()
    project.write(project.job("a"))
    for args in (("list",), ("list", "--json"), ("diff",), ("diff", "--json")):
        result = project.run(*args)
        assert result.code in (0, 3), result
        assert "pw-7731x" not in result.out + result.err
        assert "k-7731y" not in result.out + result.err


def test_a_token_in_a_callback_query_is_never_shown_in_the_plan(project):
    project.write(project.job("a"))
    assert project.run("schedule", "--yes").code == 0
    project.write(project.job("a", extra="callback: https://hooks.example.com/x?token=cbq-5521"))
    for args in (("diff",), ("diff", "--json"), ("diff", "--markdown"), ("schedule", "--yes")):
        result = project.run(*args)
        assert result.code in (0, 3), result
        assert "cbq-5521" not in result.out + result.err, args
        assert "callback" in result.out
    assert project.run("diff", "--exit-code").code == 0  # and it converged
