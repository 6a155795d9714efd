"""vercel.json: the `crons` array compiled from infrastructure jobs.

Only the value of the top-level `crons` key is ever rewritten: every other byte of the file
(key order, indentation, line endings, a UTF-8 BOM) is kept, by splicing the new array into the
original text rather than re-serialising the document.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import ConfigError
from .fsutil import read_regular, write_atomic

BOM = "\ufeff"
USER_AGENT = "vercel-cron/1.0"


def cron_request_headers(schedule: str) -> dict[str, str]:
    """The headers Vercel sends when it runs a cron job (`trigger` and `cronctl dev` use them)."""
    headers = {"user-agent": USER_AGENT, "x-vercel-cron-schedule": schedule}
    secret = os.environ.get("CRON_SECRET")
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
        old = (self.old_text or "").lstrip(BOM).replace("\r\n", "\n").splitlines(keepends=True)
        new = self.new_text.lstrip(BOM).replace("\r\n", "\n").splitlines(keepends=True)
        name = self.path.name
        return "".join(
            difflib.unified_diff(old, new, f"a/{name}" if self.old_text else "/dev/null",
                                 f"b/{name}")
        )


def desired_crons(config: Config) -> list[dict[str, str]]:
    return [
        {"path": j.path, "schedule": j.schedule}
        for j in config.infrastructure_jobs
        if j.enabled
    ]


def plan(config: Config) -> VercelChange:
    path = config.vercel_file
    crons = desired_crons(config)
    raw = read_regular(path)
    if raw is None:
        # No file and nothing to put in it: leave it absent.
        return VercelChange(path, None, render_new(crons), None if crons else [], crons)
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
    if old == crons or (old is None and not crons):
        return VercelChange(path, text, text, old if old is not None else [], crons)
    return VercelChange(path, text, splice(text, crons), old, crons)


def apply(change: VercelChange) -> bool:
    if not change.changed:
        return False
    # Only over the bytes the plan was made from: a change made since is never overwritten.
    old = None if change.old_text is None else change.old_text.encode("utf-8")
    write_atomic(change.path, change.new_text.encode("utf-8"), expected=old)
    return True


def render_new(crons: list) -> str:
    body = json.dumps({"crons": crons}, indent=2, ensure_ascii=False)
    return body + "\n"


def _style(text: str) -> tuple[str, str]:
    """The file's newline and indentation unit."""
    newline = "\r\n" if "\r\n" in text else "\n"
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if stripped and stripped != line and stripped[0] in "\"}]":
            return newline, line[: len(line) - len(stripped)]
    return newline, "  "


def _render_array(crons: list, indent: str, base: str, newline: str) -> str:
    if not crons:
        return "[]"
    text = json.dumps(crons, indent=1, ensure_ascii=False)
    out = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(" "))
        out.append(base + indent * depth + line.lstrip(" ") if out else line)
    return newline.join(out)


def splice(text: str, crons: list) -> str:
    """Replace (or add) the top-level `crons` value in the JSON text, keeping all else."""
    newline, indent = _style(text)
    start = len(BOM) if text.startswith(BOM) else 0
    scanner = _Scanner(text, start)
    span = scanner.top_level_value("crons")
    if "\n" not in text.strip():  # a minified file stays minified
        compact = json.dumps(crons, separators=(",", ":"), ensure_ascii=False)
        if span is not None:
            return text[: span[1]] + compact + text[span[2] :]
        close = scanner.object_end
        sep = "" if text[:close].rstrip().endswith("{") else ","
        return text[:close] + f'{sep}"crons":{compact}' + text[close:]
    if span is not None:
        key_start, value_start, value_end = span
        line_start = text.rfind("\n", 0, key_start) + 1
        base = text[line_start:key_start]
        base = base if base.strip() == "" else indent
        return text[:value_start] + _render_array(crons, indent, base, newline) + text[value_end:]
    # No `crons` yet: add it as the last member of the top-level object.
    close = scanner.object_end
    before = text[:close].rstrip()
    member_sep = "" if before.endswith("{") else ","
    base = indent
    array = _render_array(crons, indent, base, newline)
    trailing = text[len(before):close]
    if "\n" not in trailing:
        trailing = newline
    return before + member_sep + newline + base + '"crons": ' + array + trailing + text[close:]


class _Scanner:
    """Just enough of a JSON scanner to find spans in text already known to be valid JSON."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos
        self.object_start = 0
        self.object_end = 0

    def _ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def _string(self) -> str:
        start = self.pos
        self.pos += 1
        while self.text[self.pos] != '"':
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        self.pos += 1
        return json.loads(self.text[start : self.pos])

    def _value(self) -> None:
        ch = self.text[self.pos]
        if ch == '"':
            self._string()
            return
        if ch in "{[":
            depth = 0
            while True:
                ch = self.text[self.pos]
                if ch == '"':
                    self._string()
                    continue
                if ch in "{[":
                    depth += 1
                elif ch in "}]":
                    depth -= 1
                self.pos += 1
                if depth == 0:
                    return
        while self.pos < len(self.text) and self.text[self.pos] not in ",}] \t\r\n":
            self.pos += 1

    def top_level_value(self, wanted: str) -> tuple[int, int, int] | None:
        """(key start, value start, value end) of the last `wanted` member, if any."""
        self._ws()
        self.object_start = self.pos
        self.pos += 1  # '{'
        found = None
        while True:
            self._ws()
            if self.text[self.pos] == "}":
                self.object_end = self.pos
                return found
            if self.text[self.pos] == ",":
                self.pos += 1
                continue
            key_start = self.pos
            key = self._string()
            self._ws()
            self.pos += 1  # ':'
            self._ws()
            value_start = self.pos
            self._value()
            if key == wanted:
                found = (key_start, value_start, self.pos)
