"""JSON text surgery for vercel.json: replace (or add) a top-level value (`crons`, or
`schedules`) and keep every other byte of the file (key order, indentation, line endings, a
UTF-8 BOM, minified or not)."""

from __future__ import annotations

import json

BOM = "\ufeff"


def render_new(crons: list | dict, key: str = "crons") -> str:
    body = json.dumps({key: crons}, indent=2, ensure_ascii=False)
    return body + "\n"


def _style(text: str) -> tuple[str, str]:
    """The file's newline and indentation unit."""
    newline = "\r\n" if "\r\n" in text else "\n"
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if stripped and stripped != line and stripped[0] in "\"}]":
            return newline, line[: len(line) - len(stripped)]
    return newline, "  "


def _render_array(crons: list | dict, indent: str, base: str, newline: str) -> str:
    if not crons:
        return json.dumps(crons)
    text = json.dumps(crons, indent=1, ensure_ascii=False)
    out = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(" "))
        out.append(base + indent * depth + line.lstrip(" ") if out else line)
    return newline.join(out)


def splice(text: str, crons: list | dict, key: str = "crons") -> str:
    """Replace (or add) the top-level `key` value in the JSON text, keeping all else."""
    newline, indent = _style(text)
    start = len(BOM) if text.startswith(BOM) else 0
    scanner = _Scanner(text, start)
    span = scanner.top_level_value(key)
    if "\n" not in text.strip():  # a minified file stays minified
        compact = json.dumps(crons, separators=(",", ":"), ensure_ascii=False)
        if span is not None:
            return text[: span[1]] + compact + text[span[2] :]
        close = scanner.object_end
        sep = "" if text[:close].rstrip().endswith("{") else ","
        return text[:close] + f'{sep}{json.dumps(key)}:{compact}' + text[close:]
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
    return (before + member_sep + newline + base + json.dumps(key) + ": " + array + trailing
            + text[close:])


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


def remove_member(text: str, key: str) -> str:
    """The JSON text without its top-level `key` member; every other byte kept."""
    scanner = _Scanner(text, len(BOM) if text.startswith(BOM) else 0)
    span = scanner.top_level_value(key)
    return text if span is None else _cut(text, span[0], span[2])


def _cut(text: str, key_start: int, value_end: int) -> str:
    """Remove the member spanning key_start..value_end, with one of its commas."""
    j = value_end
    while j < len(text) and text[j] in " \t\r\n":
        j += 1
    if j < len(text) and text[j] == ",":  # not the last member: up to the next key
        j += 1
        while j < len(text) and text[j] in " \t\r\n":
            j += 1
        return text[:key_start] + text[j:]
    i = key_start
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    if text[i - 1] == ",":  # the last member: from the comma before it
        return text[: i - 1] + text[value_end:]
    return text[:i] + text[value_end:]  # the only member


def drop_items(text: str, key: str, indexes: list[int]) -> str:
    """Remove these items of the top-level `key` array; the others keep their bytes."""
    span = _Scanner(text, len(BOM) if text.startswith(BOM) else 0).top_level_value(key)
    if span is None:
        return text
    scanner = _Scanner(text, span[1] + 1)
    items = []
    while True:
        scanner._ws()
        ch = text[scanner.pos]
        if ch == "]":
            break
        if ch == ",":
            scanner.pos += 1
            continue
        start = scanner.pos
        scanner._value()
        items.append((start, scanner.pos))
    for i in sorted(indexes, reverse=True):
        text = _cut(text, *items[i])
    return text


def set_member(text: str, key: str, name: str, value: dict | None) -> str:
    """Replace, add (value) or remove (None) the member `name` of the top-level `key` object;
    the other members keep their bytes."""
    newline, unit = _style(text)
    outer = _Scanner(text, len(BOM) if text.startswith(BOM) else 0).top_level_value(key)
    assert outer is not None
    okey, ovalue, _ = outer
    inner = _Scanner(text, ovalue)
    span = inner.top_level_value(name)
    if value is None:
        return text if span is None else _cut(text, span[0], span[2])
    minified = "\n" not in text.strip()
    line = text[text.rfind("\n", 0, okey) + 1:okey]
    outer_base = line if not line.strip() else ""
    if span is not None:
        key_start, value_start, value_end = span
        line = text[text.rfind("\n", 0, key_start) + 1:key_start]
        base = line if not line.strip() else outer_base + unit
        body = (_compact(value) if minified
                else _render_array(value, unit, base, newline))
        return text[:value_start] + body + text[value_end:]
    close = inner.object_end
    before = text[:close].rstrip()
    sep = "" if before.endswith("{") else ","
    if minified:
        return text[:close] + f"{sep}{_compact(name)}:{_compact(value)}" + text[close:]
    base = outer_base + unit
    trailing = text[len(before):close]
    if "\n" not in trailing:
        trailing = newline + outer_base
    return (before + sep + newline + base + _compact(name) + ": "
            + _render_array(value, unit, base, newline) + trailing + text[close:])


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
