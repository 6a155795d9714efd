"""Editing a job's `schedule`, `timezone` and `enabled` in schedules.yaml in place: only the
bytes of those values change (or one new line is added for a key the job does not have yet);
every other byte, comment and blank line of the file stays as it was.

Why span editing and not a round-trip YAML library: the loader (config/yamlsource.py) already
parses with PyYAML, whose nodes carry exact start and end offsets; replacing a scalar's span is
byte-exact by construction, while a round-trip dump (ruamel.yaml) re-emits the document and may
re-indent, re-wrap or re-quote parts nobody edited, and would be one more dependency. What
span editing cannot do safely (a value shared through an anchor or alias, a flow-style job that
lacks the key) is refused with what to do instead.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..errors import UsageError

EDITABLE = ("schedule", "timezone", "enabled")


def scalar(key: str, value: Any) -> str:
    if key == "enabled":
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)  # a YAML double-quoted scalar


def _job_node(root: yaml.Node | None, name: str) -> yaml.MappingNode:
    def entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return k, v
        return None

    jobs = entry(root, "jobs")
    found = entry(jobs[1], name) if jobs else None
    if found is None or not isinstance(found[1], yaml.MappingNode):
        raise UsageError(f"no job named {name!r} written as a mapping in the file")
    _refuse_shared(root, [jobs, found], name)  # type: ignore[list-item]
    return found[1]


def _refuse_shared(root: yaml.Node | None, path: list[tuple[yaml.Node, yaml.Node]],
                   name: str) -> None:
    """A job's mapping (or the `jobs` mapping holding it) written as an alias of another node,
    or carrying an anchor that another node uses: an edit of its text would change what
    another job (or key) reads too. Refused, with where the other one is."""
    uses: dict[int, list[yaml.Node]] = {}  # node -> the keys whose value it is
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        pairs = node.value if isinstance(node, yaml.MappingNode) else \
            [(None, v) for v in node.value] if isinstance(node, yaml.SequenceNode) else []
        for k, v in pairs:
            uses.setdefault(id(v), []).append(k if k is not None else node)
            stack.append(v)
    for key, value in path:
        own = value is path[-1][1]
        anchor = _anchor(value)
        if value.start_mark.index < key.end_mark.index:  # its text is elsewhere: an alias
            raise UsageError(
                f"{name if own else 'jobs'} is written as an alias (*{anchor or '...'}) of the "
                f"mapping on line {value.start_mark.line + 1}; editing it here would change "
                "that one too", hint=f"write {name}'s keys out in the file (or edit the "
                "anchored mapping by hand)")
        others = [k for k in uses.get(id(value), []) if k is not key]
        if others:
            what = f"{name}'s mapping" if own else "the jobs mapping"
            other = others[0]
            who = "a merge (<<)" if getattr(other, "value", None) == "<<" else \
                other.value if isinstance(other, yaml.ScalarNode) else "another value"
            raise UsageError(
                f"{what} carries the anchor &{anchor or '...'}, which {who} (line "
                f"{other.start_mark.line + 1}) uses; editing it here would change "
                f"{who} too", hint=f"edit {name} in the file by hand, or write {who}'s keys "
                "out")


def _anchor(node: yaml.Node) -> str | None:
    """The anchor's name written at (or just before) the node's start, if any."""
    text = node.start_mark.buffer or ""
    start = node.start_mark.index
    import re

    found = re.match(r"&([^\s,\[\]{}]+)", text[start:start + 200]) if text else None
    return found.group(1) if found else None


def check(text: str, name: str) -> None:
    """Refuse now what `edit` would refuse for any change: no such job, or one whose mapping
    is shared with another through an anchor or alias."""
    _job_node(yaml.compose(text, Loader=yaml.SafeLoader), name)


def edit(text: str, name: str, changes: dict[str, Any]) -> str:
    """`text` with the job's keys in `changes` set (a value of None: left as it is)."""
    job = _job_node(yaml.compose(text, Loader=yaml.SafeLoader), name)
    edits: list[tuple[int, int, str]] = []  # (start, end, new text)
    missing = []
    for key, value in changes.items():
        if key not in EDITABLE:
            raise UsageError(f"{key!r} cannot be edited here")
        if value is None:
            continue
        pair = next(((k, v) for k, v in job.value
                     if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        if pair is None:
            missing.append((key, value))
            continue
        k, v = pair
        start, end = v.start_mark.index, v.end_mark.index
        if not isinstance(v, yaml.ScalarNode) or start < k.end_mark.index \
                or text[start:start + 1] in ("&", "*", "!"):
            raise UsageError(f"{name}'s {key} is an anchor, an alias or a tagged value in the "
                             "file, which this editor does not change",
                             hint=f"edit {key} in schedules.yaml by hand")
        if v.style in ("|", ">"):
            raise UsageError(f"{name}'s {key} is a block scalar; edit it in the file")
        edits.append((start, end, scalar(key, value)))
    if missing:
        if job.flow_style:
            raise UsageError(f"{name} is written in flow style ({{...}}); add "
                             f"{', '.join(k for k, _ in missing)} in the file by hand")
        first = job.value[0][0]
        line_start = text.rfind("\n", 0, first.start_mark.index) + 1
        indent = text[line_start:first.start_mark.index]
        if indent.strip():
            raise UsageError(f"cannot find where {name}'s keys start; edit the file by hand")
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = "".join(f"{indent}{k}: {scalar(k, v)}{newline}" for k, v in missing)
        at = _after_schedule(text, job)
        if at is None:  # after the job's last value (its nested lines included)
            _, last_value = job.value[-1]
            at = text.rfind("\n", 0, last_value.end_mark.index)
            at = text.find("\n", last_value.start_mark.index) if at < last_value.start_mark.index \
                else at
            at = len(text) if at < 0 else at + 1
        if at == len(text) and not text.endswith("\n"):
            lines = newline + lines.rstrip("\r\n")
        edits.append((at, at, lines))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _after_schedule(text: str, job: yaml.MappingNode) -> int | None:
    """Where the line after the job's one-line `schedule:` starts (new keys go beside it)."""
    for k, v in job.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "schedule" and \
                isinstance(v, yaml.ScalarNode) and v.start_mark.line == k.start_mark.line \
                and v.end_mark.line == k.start_mark.line:
            end = text.find("\n", v.end_mark.index)
            return len(text) if end < 0 else end + 1
    return None
