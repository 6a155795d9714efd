"""Turn the crons of a vercel.json into schedules.yaml entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...errors import ConfigError, UsageError
from ...importing import name_from_path, unique


def read_crons(path: Path) -> list:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    crons = doc.get("crons", []) if isinstance(doc, dict) else []
    if not isinstance(crons, list) or not all(
            isinstance(c, dict) and isinstance(c.get("path", ""), str)
            and isinstance(c.get("schedule", ""), str) for c in crons):
        raise ConfigError(f"{path}: 'crons' must be a list of {{path, schedule}} objects",
                          hint="fix the file by hand, then run again")
    return crons


def from_vercel(crons: list[dict[str, Any]], taken: set[str]) -> dict[str, Any]:
    jobs: dict[str, Any] = {}
    for cron in crons:
        path = str(cron.get("path", "/"))
        jobs[unique(name_from_path(path), taken)] = {
            "tier": "infrastructure",
            "path": path,
            "schedule": str(cron.get("schedule", "")),
        }
    return jobs
