"""--version, --help, completion, and plain output: NO_COLOR, --no-color, and a pipe."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import cronctl
from cronctl.cli import app

ANSI = "\x1b["
COMMANDS = [
    "validate", "generate", "next", "list", "init", "diff", "schedule", "cleanup", "schema",
    "stats", "probe", "trigger", "pause", "resume", "import",
]
CONFIG = """\
version: 1
project: acme
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
    priority: critical
"""
# Anything in the caller's environment that changes rich's colour decisions.
COLOR_ENV = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE",
             "COLUMNS", "LINES")


def registered() -> dict[str, bool]:
    """Command name -> hidden, as Click sees the Typer app (commands and sub-apps alike)."""
    group = typer.main.get_command(app)
    return {name: cmd.hidden for name, cmd in group.commands.items()}


def listed_commands(help_text: str) -> list[str]:
    """The first column of the Commands section of --help (plain, as Click formats it)."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Commands:")
    names = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        m = re.match(r"^  ([a-z][\w-]*)(\s|$)", line)
        if m:
            names.append(m.group(1))
    return names


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in COLOR_ENV}
    for name in ("CRONCTL_CONFIG", "GITHUB_ACTIONS", "APP_URL", "CRON_SECRET", "QSTASH_TOKEN"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def run_in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `python -m cronctl ARGS` with stdout on a pseudo-terminal; returns (code, output)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", *args], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    proc.wait(timeout=60)
    proc.stderr.close()
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


# --- version, help, completion -------------------------------------------------------------


def test_version(cli):
    code, out, err = cli("--version")
    assert (code, out, err) == (0, f"cronctl {cronctl.__version__}\n", "")
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", cronctl.__version__)


def test_version_from_the_console_script(run_cronctl, tmp_path: Path):
    code, out, _ = run_cronctl("--version", cwd=tmp_path)
    assert (code, out) == (0, f"cronctl {cronctl.__version__}\n")


def test_every_expected_command_is_registered():
    names = registered()
    missing = [c for c in COMMANDS if c not in names]
    assert missing == []


def test_help_lists_every_registered_command(cli):
    code, out, _ = cli("--help")
    assert code == 0
    visible = [name for name, hidden in registered().items() if not hidden]
    assert sorted(listed_commands(out)) == sorted(visible)


def test_help_lists_dev_once_it_exists(cli):
    if "dev" not in registered():
        pytest.skip("the 'dev' command is not registered yet")
    code, out, _ = cli("--help")
    assert "dev" in listed_commands(out)


def test_help_offers_shell_completion(cli):
    code, out, _ = cli("--help")
    assert code == 0
    assert "--install-completion" in out
    assert "--show-completion" in out


def test_no_args_shows_help(cli):
    code, out, err = cli()
    assert code in (0, 2)  # click exits 2 for no_args_is_help on newer versions
    assert "validate" in listed_commands(out + err)


def test_help_keeps_square_brackets(cli):
    code, out, _ = cli("--help")
    assert "[tool.cronctl]" in out


# --- plain output ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "schedules.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_terminal_output_is_styled(project: Path):
    """The control: on a terminal, with nothing asking for plain output, rich draws styles.
    Without this, the plain-output tests below could pass for the wrong reason."""
    code, out = run_in_terminal(["list", "--local"], project, _env())
    assert code == 0
    assert "keep-alive" in out
    assert ANSI in out


def test_no_color_env_on_a_terminal_is_plain(project: Path):
    code, out = run_in_terminal(["list", "--local"], project, _env(NO_COLOR="1"))
    assert code == 0
    assert "keep-alive" in out
    assert ANSI not in out


def test_no_color_flag_on_a_terminal_is_plain(project: Path):
    code, out = run_in_terminal(["--no-color", "list", "--local"], project, _env())
    assert code == 0
    assert "keep-alive" in out
    assert ANSI not in out


def test_no_color_wins_over_force_color(project: Path):
    for args, extra in ((["list", "--local"], {"NO_COLOR": "1"}),
                        (["--no-color", "list", "--local"], {})):
        proc = subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=project,
                              env=_env(FORCE_COLOR="1", **extra), capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "keep-alive" in proc.stdout
        assert ANSI not in proc.stdout, args


def test_piped_output_is_plain(project: Path):
    proc = subprocess.run([sys.executable, "-m", "cronctl", "list", "--local"], cwd=project,
                          env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "keep-alive" in proc.stdout
    assert ANSI not in proc.stdout + proc.stderr
    # A pipe is not 80 columns: rows are not wrapped.
    assert max(len(line) for line in proc.stdout.splitlines()) > 80


def test_errors_on_a_terminal_with_no_color_are_plain(tmp_path: Path):
    code, out = run_in_terminal(["--no-color", "validate"], tmp_path, _env())
    assert code == 2
    assert ANSI not in out


@pytest.mark.parametrize("args", [["list", "--local"], ["validate"], ["next", "keep-alive"]])
def test_in_process_no_color_flag(cli, write_config, args):
    write_config(CONFIG)
    code, out, err = cli("--no-color", *args, env={"NO_COLOR": None})
    assert code == 0, err
    assert ANSI not in out + err
