"""`cronctl init`: a starter schedules.yaml, and `[tool.cronctl]` in pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..config.locate import project_name
from ..errors import ConfigError, UsageError
from ..fsutil import write_atomic
from ..output import echo

STARTER = """\
# yaml-language-server: $schema=./schedules.schema.json
version: 1
project: {project}
base_url: ${{APP_URL}}            # the app origin QStash delivers business jobs to
vercel:
  plan: pro                     # hobby | pro | enterprise
  file: vercel.json
defaults:
  retries: 3
  method: POST
  timezone: UTC
  headers:
    Authorization: Bearer ${{CRON_SECRET}}
jobs:
  keep-alive:
    tier: infrastructure        # compiled into vercel.json
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
    priority: critical
    description: Database and cache health
  daily-cleanup:
    tier: business              # synced to QStash
    path: /api/cron/daily-cleanup
    schedule: "0 3 * * *"
    timezone: UTC
    priority: low
"""


def run(state, *, project: str | None, force: bool) -> int:
    cwd = Path.cwd()
    target = Path(state.config) if state.config else cwd / "schedules.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="pass --force to overwrite it")
    name = project or project_name(cwd)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", name):
        raise UsageError(f"project {name!r} must be lowercase letters, digits and '-'",
                         hint="pass --project NAME")
    write_atomic(target, STARTER.format(project=name).encode())
    echo(f"wrote {target}")
    from ..schema import render

    schema_path = target.parent / "schedules.schema.json"
    write_atomic(schema_path, render().encode())
    echo(f"wrote {schema_path} (editor completion; refresh with 'cronctl schema -o ...')")
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        _register(pyproject, target, cwd)
    echo("next: edit the jobs, then run 'cronctl validate' and 'cronctl schedule --dry-run'")
    return 0


def _register(pyproject: Path, target: Path, cwd: Path) -> None:
    import tomli_w

    text = pyproject.read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: {exc}", hint="fix the TOML; schedules.yaml was written"
                          ) from None
    if "cronctl" in table.get("tool", {}):
        echo(f"{pyproject} already has [tool.cronctl]; left unchanged")
        return
    try:
        rel = target.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        rel = str(target)
    addition = tomli_w.dumps({"tool": {"cronctl": {"config": rel}}})
    sep = "" if text.endswith("\n") or not text else "\n"
    write_atomic(pyproject, (text + sep + "\n" + addition).encode("utf-8"))
    echo(f"added [tool.cronctl] to {pyproject}")
