"""`${VAR}` and `${VAR:-default}` in string values, read from the environment.

An unset variable without a default is not an error here: it is recorded, the placeholder is kept,
and the command that needs the value decides (see `Config.require_env`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .yamlsource import Path_

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Escaped `$${...}` stays literal.
_ESCAPED = "$${"


@dataclass(frozen=True)
class Unset:
    var: str
    path: Path_


def interpolate(
    data: Any, env: Mapping[str, str], path: Path_ = ()
) -> tuple[Any, list[Unset], dict[str, str]]:
    """Returns the data with variables replaced, the unset ones, and the values read (by name)."""
    unset: list[Unset] = []
    used: dict[str, str] = {}

    def walk(value: Any, p: Path_) -> Any:
        if isinstance(value, str):
            return _sub(value, p)
        if isinstance(value, dict):
            return {k: walk(v, (*p, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*p, i)) for i, v in enumerate(value)]
        return value

    def _sub(text: str, p: Path_) -> str:
        if "${" not in text:
            return text
        parts = text.split(_ESCAPED)

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env and env[name] != "":
                used[name] = env[name]
                return env[name]
            if default is not None:
                return default
            unset.append(Unset(name, p))
            return m.group(0)

        return "${".join(_VAR.sub(repl, part) for part in parts)

    return walk(data, path), unset, used


def has_placeholder(text: str) -> bool:
    return bool(_VAR.search(text))
