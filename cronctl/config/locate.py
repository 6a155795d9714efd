"""Where schedules.yaml is: --config, CRONCTL_CONFIG, [tool.cronctl] in pyproject, then ./."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from ..environment import current
from ..errors import ConfigError

DEFAULT_NAME = "schedules.yaml"


def find_config(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    cwd = cwd or Path.cwd()
    if explicit:
        return _existing(Path(explicit), "--config")
    env = current().get("CRONCTL_CONFIG")
    if env:
        return _existing(Path(env), "CRONCTL_CONFIG")
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"cannot read {pyproject}: {exc}", hint="fix the TOML syntax, or pass --config"
            ) from None
        configured = table.get("tool", {}).get("cronctl", {}).get("config")
        if configured:
            return _existing(cwd / configured, f"[tool.cronctl] config in {pyproject}")
    return _existing(cwd / DEFAULT_NAME, None)


def _existing(path: Path, source: str | None) -> Path:
    if path.is_file():
        return path
    origin = f" (from {source})" if source else ""
    raise ConfigError(
        f"{path}: no such file{origin}",
        hint="run 'cronctl init' to write a starter schedules.yaml, or pass --config PATH",
    )


def project_name(folder: Path) -> str:
    """A project name from a folder's: lowercase letters, digits and '-'."""
    import re

    name = re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-")
    return name or "my-app"
