"""YAML to plain data, remembering where every key and value stands.

PyYAML silently keeps the last of two duplicate keys; here a duplicate is a problem with both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Source:
    """Parsed data plus the position of each key (`keys`) and each value (`values`) by path."""

    data: Any
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)
    duplicates: list[tuple[Path_, Mark, Mark]] = field(default_factory=list)

    def mark(self, path: Path_, *, key: bool = False) -> Mark | None:
        """The closest known position for `path`, walking up to a parent when needed."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        # An empty document has no node at all: point at the top of the file.
        return self.values.get((), Mark(1, 1))


class YAMLSyntaxError(Exception):
    def __init__(self, message: str, mark: Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _mark(m: yaml.Mark) -> Mark:
    return Mark(m.line + 1, m.column + 1)


# libyaml's parser (when PyYAML was built with it) composes a 1,000-job file several times faster
# and gives the same nodes and marks. Its syntax errors point less precisely, so a file it refuses
# is parsed again by the pure-Python parser for the message.
_FAST = getattr(yaml, "CSafeLoader", None)


def parse(text: str) -> Source:
    if _FAST is not None:
        loader = _FAST(text)
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            pass
        else:
            return _source(node, loader)
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}, {problem}"
        mark = exc.problem_mark or exc.context_mark
        # "while scanning a quoted scalar ... found unexpected end of stream": the problem mark
        # is where the scanner gave up (often the end of the file); the token's start is the
        # line to fix.
        if exc.context and exc.context.startswith("while scanning") and exc.context_mark:
            mark = exc.context_mark
        raise YAMLSyntaxError(problem, _mark(mark) if mark else None) from exc
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(str(exc), None) from exc
    finally:
        loader.dispose()
    return _source(node, loader)


def _source(node: yaml.Node | None, loader: Any) -> Source:
    src = Source(data=None)
    if node is not None:
        src.data = _build(node, (), src, loader)
    return src


def _build(node: yaml.Node, path: Path_, src: Source, loader: Any) -> Any:
    src.values[path] = _mark(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        if not hasattr(node, "own_keys"):  # an aliased node is built again, already flattened
            node.own_keys = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        own = node.own_keys
        loader.flatten_mapping(node)  # `<<` merge keys
        out: dict[Any, Any] = {}
        written: set[Any] = set()  # keys written in this mapping, not merged in
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                key = str(key)
            child = (*path, key)
            # Overriding a merged key is the point of `<<`; only a key written twice is a mistake.
            if key in written and id(key_node) in own:
                src.duplicates.append((child, src.keys[child], _mark(key_node.start_mark)))
            if id(key_node) in own:
                written.add(key)
            src.keys[child] = _mark(key_node.start_mark)
            out[key] = _build(value_node, child, src, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), src, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
