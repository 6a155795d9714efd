"""A hostile or broken schedules.yaml (and other bad input a user can cause): a clear error
with file:line and exit 2 (or 1), bounded cost, never a crash, a hang, "internal error", or two
jobs silently merged into one."""

from __future__ import annotations

import errno
import json
import os
import re

import pytest

pytestmark = pytest.mark.hardening

HEAD = "version: 1\nproject: acme\nbase_url: https://app.example.com\njobs:\n"
JOB = '    tier: business\n    path: /api/cron/{n}\n    schedule: "0 9 * * *"\n'


def no_crash(result) -> None:
    text = result.out + result.err
    assert "internal error" not in text and "Traceback" not in text, text


def bomb(levels: int, width: int = 10) -> str:
    lines = ["x0: &x0 [lol]"]
    for i in range(1, levels + 1):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]")
    return "\n".join(lines)


def merge_bomb(levels: int) -> str:
    lines = ["m0: &m0 {k: v}"]
    for i in range(1, levels + 1):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: v}}")
    return "\n".join(lines)


@pytest.mark.parametrize("text", [bomb(6), bomb(9), merge_bomb(40)],
                         ids=["1e6 values", "1e9 values (the 520-byte classic)", "merges"])
def test_an_alias_bomb_is_refused_with_file_and_line(text, cli, write_config):
    body = "\n".join("      " + line for line in text.splitlines())
    write_config(HEAD + "  a:\n" + JOB.format(n="a") + "    body:\n" + body + "\n")
    result = cli("validate")
    assert result.code == 2, result
    no_crash(result)
    assert re.search(r"schedules\.yaml:\d+", result.err) and "alias" in result.err


def test_a_few_aliases_and_merges_still_work(cli, write_config):
    write_config(HEAD + "  a:\n" + JOB.format(n="a")
                 + "    body: &b {x: [1, 2]}\n  b:\n" + JOB.format(n="b")
                 + "    body: {<<: *b, y: 3}\n")
    result = cli("list", "--local", "--json")
    assert result.code == 0, result


def test_a_self_referencing_alias_is_refused(cli, write_config):
    write_config(HEAD + "  a:\n" + JOB.format(n="a") + "    body: &loop [1, *loop]\n")
    result = cli("validate")
    assert result.code == 2, result
    no_crash(result)
    assert "schedules.yaml:9" in result.err and "self-referencing" in result.err


def test_deep_nesting_is_a_clear_error(cli, write_config):
    write_config(HEAD + "  a:\n" + JOB.format(n="a") + "    body: " + "[" * 5000
                 + "]" * 5000 + "\n")
    result = cli("validate")
    assert result.code == 2, result
    no_crash(result)
    assert "deep" in result.err


@pytest.mark.parametrize("key", ["1", "1_000", "off", "1.10", "0x1f", "yes"])
def test_job_names_are_strings_as_written(key, cli, write_config):
    write_config(HEAD + f"  {key}:\n" + JOB.format(n="a"))
    result = cli("list", "--local", "--json")
    assert result.code == 0, result
    assert [j["name"] for j in json.loads(result.out)["jobs"]] == [key]


@pytest.mark.parametrize("pair", [("1", '"1"'), ("1.10", "'1.10'"), ("off", '"off"')])
def test_two_jobs_never_merge_into_one(pair, cli, write_config):
    jobs = "".join(f"  {k}:\n" + JOB.format(n=f"x{i}") for i, k in enumerate(pair))
    write_config(HEAD + jobs)
    result = cli("validate")
    assert result.code == 2, result
    assert "duplicate" in result.err


@pytest.mark.parametrize("key", ["~", "1:30"])
def test_a_name_that_is_no_job_name_as_written_is_refused(key, cli, write_config):
    write_config(HEAD + f"  {key}:\n" + JOB.format(n="a"))
    result = cli("validate")
    assert result.code == 2 and f"{key!r}" in result.err, result


@pytest.mark.parametrize("char", ["\x00", "\x1b"])
def test_control_bytes_in_the_file_are_a_config_error(char, cli, write_config):
    write_config(HEAD + "  a:\n" + JOB.format(n="a") + f"    description: x{char}y\n")
    for args in (("validate",), ("list", "--local")):
        result = cli(*args)
        assert result.code == 2, result
        no_crash(result)
        assert "schedules.yaml:9" in result.err and "control character" in result.err


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC",
                                  "posix/Europe/Lisbon"])
def test_host_dependent_timezones_are_refused(zone, cli, write_config):
    write_config(HEAD + "  a:\n" + JOB.format(n="a") + f"    timezone: {zone}\n")
    result = cli("validate")
    assert result.code == 2, result
    assert "timezone" in result.err


def test_a_huge_since_is_a_usage_error(project):
    project.write(project.job("a"))
    result = project.run("stats", "--since", "1000000000d")
    assert result.code == 2, result
    no_crash(result)
    assert "--since" in result.err


def test_output_into_a_missing_directory_is_one_clear_error(cli, write_config, project_dir):
    write_config(HEAD + "  a:\n" + JOB.format(n="a"))
    (project_dir / "vercel.json").write_text('{"crons": [{"path": "/x", "schedule": "0 1 * * *"}]}')
    result = cli("import", "--from-vercel", "vercel.json", "-o", "missing/dir/out.yaml")
    assert result.code in (1, 2), result
    no_crash(result)
    assert "missing/dir" in result.err
    (project_dir / "a-folder").mkdir()
    for args in (("import", "--from-vercel", "a-folder"), ("schema", "-o", "a-folder")):
        result = cli(*args)
        assert result.code in (1, 2), result
        no_crash(result)
        assert "a-folder" in result.err


def test_a_full_disk_is_one_clear_error_and_leaves_no_temporary_file(cli, write_config,
                                                                    project_dir, monkeypatch):
    write_config(HEAD.replace("base_url: https://app.example.com\n", "")
                 + "  a:\n    tier: infrastructure\n    path: /a\n    schedule: \"0 1 * * *\"\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # simulated: the disk fills while writing
    result = cli("generate")
    assert result.code == 1, result
    no_crash(result)
    assert "space" in result.err.lower()
    assert sorted(p.name for p in project_dir.iterdir()) == ["schedules.yaml"]


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "qstash.upstash.io", "ftp://x.example.com"])
def test_qstash_url_without_an_http_scheme_is_one_message(url, project, monkeypatch):
    monkeypatch.setenv("QSTASH_URL", url)
    project.write(project.job("a"))
    result = project.run("diff")
    assert result.code == 2, result
    no_crash(result)
    assert "QSTASH_URL" in result.err and result.err.count("error:") == 1


@pytest.mark.parametrize("token", ["t\u00f8ken-value-1234", "token value-1234", "tok\ten-1234"])
def test_a_token_that_cannot_be_sent_is_one_message(token, project, monkeypatch):
    monkeypatch.setenv("QSTASH_TOKEN", token)
    project.write(project.job("a"))
    for args in (("diff",), ("--debug", "diff")):
        result = project.run(*args)
        assert result.code == 2, result
        assert "QSTASH_TOKEN" in result.err and "internal error" not in result.err
        assert token.strip() not in result.err


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"crons": [1, "x"]}',
                                  '{"crons": [{"path": 1}]}'])
def test_a_hostile_vercel_json_is_one_clear_error(text, cli, write_config, project_dir):
    write_config(HEAD.replace("base_url: https://app.example.com\n", "")
                 + "  a:\n    tier: infrastructure\n    path: /a\n    schedule: \"0 1 * * *\"\n")
    (project_dir / "vercel.json").write_text(text)
    # `generate` owns `crons` and may replace a bad one; a file it cannot read stays untouched.
    commands = [("import", "--from-vercel", "vercel.json")]
    if text.startswith("["):
        commands.append(("generate",))
    for args in commands:
        result = cli(*args)
        assert result.code in (1, 2), (args, result)
        no_crash(result)
        assert "vercel.json" in result.err
    assert (project_dir / "vercel.json").read_text() == text
