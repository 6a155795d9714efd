"""Start-up: `cronctl --help` and `cronctl validate` import only what they use. Checked through
the modules a real `python -m cronctl` process has loaded when it exits, never by seconds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.speed

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules))))
from cronctl.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def loaded(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={"NO_COLOR": "1", "PATH": "/usr/bin"})
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return {name.split(".")[0] for name in json.loads(line[len("MODULES "):])} | set(
        json.loads(line[len("MODULES "):]))


def test_help_imports_no_heavy_module():
    modules = loaded("--help")
    assert "typer" in modules  # the control: the probe sees what was imported
    for heavy in ("rich", "httpx", "pydantic", "yaml", "starlette", "uvicorn", "cronsim",
                  "jinja2", "cronctl.ui", "cronctl.config", "cronctl.targets"):
        assert heavy not in modules, heavy


def test_validate_imports_no_network_or_rendering_module():
    modules = loaded("--config", "schedules.yaml", "validate")
    assert {"yaml", "cronctl.config"} <= modules  # it did validate
    # A target's format and rules (its plugin, model and validate modules), never its client
    # or its Target class.
    formats = ("plugin", "model", "validate", "retrydelay", "quotas",
               "dialect", "entry")  # a target's own cron dialect (pg_cron's parser)
    targets = [m for m in modules if m.startswith("cronctl.targets.") and m.count(".") == 3]
    assert targets and all(m.rsplit(".", 1)[1] in formats for m in targets), targets
    for heavy in ("rich", "httpx", "httpcore", "starlette", "uvicorn", "cronctl.targets.base",
                  "cronctl.dev", "cronctl.engine", "jinja2", "cronctl.ui",
                  # Typer's pydantic coercion of command-line values (cronctl/cli/params.py)
                  "typer._adapters",
                  # the file format is checked by config/shape.py; pydantic only for the schema
                  "pydantic", "pydantic_core", "cronctl.config.asmodels"):
        assert heavy not in modules, heavy


def test_a_command_help_imports_no_heavy_module():
    """`cronctl COMMAND --help` too: Typer reads the options without its pydantic adapters."""
    modules = loaded("schedule", "--help")
    assert "cronctl.cli" in modules  # the control
    for heavy in ("pydantic", "typer._adapters", "rich", "httpx", "yaml", "cronctl.config"):
        assert heavy not in modules, heavy


def test_verify_help_imports_neither_the_matcher_nor_a_target():
    modules = loaded("verify", "--help")
    assert "cronctl.cli" in modules  # the control
    for heavy in ("cronctl.verify", "cronctl.verification", "cronctl.commands.verify",
                  "cronctl.targets", "cronctl.cron", "httpx", "yaml", "rich"):
        assert heavy not in modules, heavy
