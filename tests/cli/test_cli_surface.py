"""The CLI a person expects: global options anywhere, did-you-mean, hints that name real
options, flags that read as flags in --help, declining exits 1, a full create plan."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cronctl.cli import app

ROOT = Path(__file__).resolve().parents[2]
JOBS = "".join(
    f"  {name}:\n    tier: business\n    path: /api/{name}\n    schedule: \"0 9 * * *\"\n"
    for name in ("keep-alive", "payouts-daily", "send-reminders", "cleanup-blocked-dates"))
CONFIG = "version: 1\nproject: acme\nbase_url: https://app.example.com\njobs:\n" + JOBS


def _commands() -> dict:
    import typer.main

    group = typer.main.get_command(app)
    return dict(group.commands), group


def options_of(name: str) -> set[str]:
    commands, group = _commands()
    command = commands[name] if name else group
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)} | {"-h",
                                                                                    "--help"}


# -- global options after the command ----------------------------------------------------------

def test_global_options_work_before_and_after_the_command(cli, write_config, project_dir):
    write_config(CONFIG, name="conf/other.yaml")
    before = cli("-c", "conf/other.yaml", "validate")
    after = cli("validate", "-c", "conf/other.yaml")
    assert before.code == after.code == 0, after.err
    assert before.out == after.out and "other.yaml: valid" in after.out
    long_after = cli("list", "--local", "--config", "conf/other.yaml", "--no-color", "-v")
    assert long_after.code == 0 and "payouts-daily" in long_after.out
    # The value given after the command wins over the one before it.
    assert cli("-c", "missing.yaml", "validate", "-c", "conf/other.yaml").code == 0
    # --debug after the command turns tracebacks on.
    debug = cli("validate", "--debug", "-c", "missing.yaml")
    assert debug.code == 2 and "Traceback" in debug.err and "no such file" in debug.err
    plain = cli("validate", "-c", "missing.yaml")
    assert plain.code == 2 and "Traceback" not in plain.err


def test_every_command_accepts_every_global_option():
    commands, _ = _commands()
    for name in commands:
        opts = options_of(name)
        assert {"-c", "--config", "-v", "--verbose", "--debug", "--no-color"} <= opts, name


# -- did-you-mean and completion ----------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("next", "payout-daily"), ("trigger", "payout-daily", "--yes"),
    ("pause", "payout-daily"), ("resume", "payout-daily"),
    ("stats", "--job", "payout-daily"),
])
def test_a_mistyped_job_gets_a_did_you_mean_not_every_job(cli, write_config, argv):
    many = CONFIG + "".join(
        f"  filler-{i:03d}:\n    tier: business\n    path: /api/f{i}\n    schedule: \"0 9 * * *\"\n"
        for i in range(300))
    write_config(many)
    result = cli(*argv, env={"QSTASH_TOKEN": "t", "CRON_SECRET": "x" * 12})
    assert result.code == 2
    assert "no job named 'payout-daily'" in result.err
    assert "did you mean 'payouts-daily'?" in result.err
    assert "filler-" not in result.err and len(result.err) < 300


def test_a_name_like_no_job_points_at_the_listing(cli, write_config):
    write_config(CONFIG)
    result = cli("next", "zzzz")
    assert result.code == 2 and "'cronctl list --local' shows them" in result.err
    assert "--local" in options_of("list")


def test_job_names_complete_in_the_shell(run_cronctl, write_config, project_dir):
    write_config(CONFIG)
    env = {"_CRONCTL_COMPLETE": "complete_bash", "COMP_WORDS": "cronctl next pay",
           "COMP_CWORD": "2"}
    result = run_cronctl(cwd=project_dir, env=env)
    assert "payouts-daily" in result.out and "keep-alive" not in result.out
    env.update(COMP_WORDS="cronctl stats --job ", COMP_CWORD="3")
    result = run_cronctl(cwd=project_dir, env=env)
    assert {"keep-alive", "payouts-daily", "send-reminders"} <= set(
        re.findall(r"[a-z-]+", result.out))


# -- hints name only options that exist ---------------------------------------------------------

COMMAND_MENTION = re.compile(r"cronctl((?: -c \S+)?) ([a-z]+)((?: (?:-{1,2}[a-z][a-z-]*|[A-Z.]+|"
                             r"\{[^}]*\}|[a-z0-9.]+))*)")
OPTION = re.compile(r"(?<![\w-])(-{1,2}[a-z][a-z-]*)")
MODULE_COMMANDS = {"next_runs": "next", "list_jobs": "list", "list_remote": "list",
                   "import_": "import"}


def _strings(tree: ast.AST):
    """Every string literal, with f-strings' literal parts joined (placeholders as {})."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _hint_strings(path: Path):
    """The literals passed as hint=..., and the user-facing strings that name a command."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "hint":
            yield from _strings(node.value)
    for text in _strings(tree):
        if "'cronctl " in text or "with: cronctl" in text:
            yield text


def test_every_hint_names_only_options_that_exist():
    commands, _ = _commands()
    global_opts = options_of("")
    checked = 0
    for path in sorted((ROOT / "cronctl").rglob("*.py")):
        if path.name == "cli.py":
            continue
        for text in _hint_strings(path):
            for _, name, tail in COMMAND_MENTION.findall(text):
                if name not in commands:
                    continue
                checked += 1
                for opt in OPTION.findall(tail):
                    assert opt in options_of(name), f"{path.name}: {text!r}: {name} has no {opt}"
            if path.parent.name != "commands" or "cronctl " in text:
                continue
            # A hint of a command's own module names that command's options.
            name = MODULE_COMMANDS.get(path.stem, path.stem)
            for opt in OPTION.findall(text):
                checked += 1
                assert opt in options_of(name) | global_opts, f"{path.name}: {text!r}: {opt}"
    assert checked >= 10


@pytest.mark.parametrize("argv", [("trigger", "keep-alive"), ("schedule",), ("cleanup",)])
def test_the_no_terminal_hint_offers_only_the_commands_options(project, argv):
    project.write(project.job("keep-alive"))
    if argv[0] == "cleanup":
        project.run("schedule", "--yes")
        project.write(project.job("other"))
    result = project.run(*argv)
    assert result.code == 2 and "no terminal to confirm on" in result.err
    hint = result.err.split("hint:", 1)[1]
    named = set(OPTION.findall(hint))
    assert "--yes" in named and named <= options_of(argv[0]), (named, hint)
    assert ("--dry-run" in named) == ("--dry-run" in options_of(argv[0]))


# -- --help renders flags as flags ------------------------------------------------------------

def test_help_shows_flags_as_flags(cli):
    root = cli("--help")
    assert root.code == 0
    lines = {line.split()[0].rstrip(","): line for line in root.out.splitlines()
             if line.startswith("  -")}
    assert re.match(r"\s+-v, --verbose\s+More detail", lines["-v"])
    assert re.match(r"\s+--debug\s+Show tracebacks", lines["--debug"])
    assert re.match(r"\s+-c, --config PATH\s", lines["-c"])
    for command in ("schedule", "diff", "stats", "validate"):
        text = cli(command, "--help").out
        assert re.search(r"^\s+--json\s+Machine-readable", text, re.M), text
    commands, _ = _commands()
    for command in commands:
        options = [line for line in cli(command, "--help").out.splitlines()
                   if line.startswith("  -")]
        assert options and not any(re.search(r"<[a-z ]+>", line) for line in options), (
            command, options)
    assert re.search(r"^\s+--since SINCE\s", cli("stats", "--help").out, re.M)
    assert "..." not in root.out.split("Commands:", 1)[1]  # descriptions wrap, never cut
    assert re.search(r"^\s+-n, --count COUNT\s", cli("next", "--help").out, re.M)


# -- declining exits 1 ------------------------------------------------------------------------

def test_declining_the_prompt_exits_1_and_changes_nothing(project):
    import os
    import pty
    import subprocess
    import sys

    project.write(project.job("a"))
    leader, follower = pty.openpty()
    try:
        os.write(leader, b"no\n")
        proc = subprocess.run([sys.executable, "-m", "cronctl", "schedule"],
                              cwd=project.folder, env=dict(os.environ), stdin=follower,
                              capture_output=True, text=True, timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 1
    assert "Nothing was changed." in proc.stderr and project.schedules() == {}


# -- a create shows every attribute --------------------------------------------------------------

def test_a_create_shows_every_attribute_and_no_header_value(project):
    extra = """
timezone: Europe/Lisbon
headers:
  X-Tenant: tenant-value-hidden
retries: 5
delay: 2m
timeout: 30s
body: {kind: daily}
callback: /api/cron/done
failure_callback: https://hooks.example.com/failed
labels: [payments]
"""
    project.write(project.job("full", extra=extra) + project.job("plain"))
    out = project.run("diff").out
    block = out.split("+ full", 1)[1].split("+ plain", 1)[0]
    for expected in ("POST https://app.example.com/api/cron/full", "cron: 0 9 * * *",
                     "timezone: Europe/Lisbon", "retries: 5", "timeout: 30s", "delay: 120s",
                     "callback: https://app.example.com/api/cron/done",
                     "failure callback: https://hooks.example.com/failed",
                     "headers: Authorization, Content-Type, X-Tenant (values hidden)",
                     "body: 16 bytes (JSON)", "labels: cronctl.acme.full, payments"):
        assert expected in block, (expected, block)
    plain = out.split("+ plain", 1)[1]
    for expected in ("timezone: UTC", "retries: 3", "timeout: (none)", "delay: (none)",
                     "body: (none)"):
        assert expected in plain
    assert "tenant-value-hidden" not in out and project.secret not in out
    markdown = project.run("diff", "--markdown").out
    assert "timezone: Europe/Lisbon" in markdown and "tenant-value-hidden" not in markdown
