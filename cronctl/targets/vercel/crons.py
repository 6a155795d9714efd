"""vercel.json's `crons` as cronctl writes and reads them: the desired array, the document on
disk, the change between them, and the headers Vercel sends when it runs one. Below the target,
the Vercel Schedules output and the deployed-crons reader, which all use it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...environment import current
from ...errors import ConfigError
from ...fsutil import read_regular
from ...plan import Artifact
from .json_file import BOM

USER_AGENT = "vercel-cron/1.0"


def cron_request_headers(schedule: str) -> dict[str, str]:
    """The headers Vercel sends when it runs a cron job (`trigger` and `cronctl dev` use them)."""
    headers = {"user-agent": USER_AGENT, "x-vercel-cron-schedule": schedule}
    secret = current().get("CRON_SECRET")
    if secret:
        headers["authorization"] = f"Bearer {secret}"
    return headers


@dataclass(frozen=True)
class VercelChange:
    path: Path
    old_text: str | None  # None: the file does not exist yet
    new_text: str
    old_crons: list | None
    new_crons: list

    @property
    def changed(self) -> bool:
        return self.old_crons != self.new_crons

    def unified_diff(self) -> str:
        if not self.changed:
            return ""
        return Artifact(self.path, self.old_text or None, self.new_text).unified_diff()


def desired_crons(config) -> list[dict[str, str]]:
    return [
        {"path": j.path, "schedule": j.schedule}
        for j in config.jobs_for("vercel")
        if j.enabled
    ]


def read_doc(path: Path) -> tuple[str | None, dict | None]:
    """(the text, the parsed top-level object) of vercel.json, or (None, None) when absent."""
    raw = read_regular(path)  # a pipe or a folder is an error, never read
    if raw is None:
        return None, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", hint="save it as UTF-8; nothing was written"
                          ) from None
    try:
        doc = json.loads(text.lstrip(BOM))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}",
            hint="fix the file by hand (it was left untouched), then run again",
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read",
                          hint="the file was left untouched") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: the top level must be a JSON object",
                          hint="the file was left untouched")
    old = doc.get("crons")
    if old is not None and not isinstance(old, list):
        raise ConfigError(f"{path}: 'crons' must be a list, found {type(old).__name__}",
                          hint="fix or remove 'crons' by hand (the file was left untouched)")
    return text, doc
