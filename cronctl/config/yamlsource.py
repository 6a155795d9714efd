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
    def __init__(self, message: str, mark: Mark | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.hint = hint


def _mark(m: yaml.Mark) -> Mark:
    return Mark(m.line + 1, m.column + 1)


# libyaml's parser (when PyYAML was built with it) composes a 1,000-job file several times faster
# and gives the same nodes and marks. Its syntax errors point less precisely, so a file it refuses
# is parsed again by the pure-Python parser for the message.
_FAST = getattr(yaml, "CSafeLoader", None)


# Bounds on what a file may cost to load: values built (aliases repeat what they point to, so
# 520 bytes of nested aliases would otherwise expand to billions) and nesting depth.
MAX_VALUES = 200_000
MAX_DEPTH = 64


def parse(text: str) -> Source:
    if _FAST is not None:
        try:
            loader = _FAST(text)
        except yaml.YAMLError:
            loader = None
        try:
            node = loader.get_single_node() if loader is not None else None
        except yaml.YAMLError:
            pass
        else:
            if loader is not None:
                return _source(node, loader)
        finally:
            if loader is not None:
                loader.dispose()
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
    except RecursionError:
        raise YAMLSyntaxError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)",
                              None) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YAMLSyntaxError(
            f"the file contains the control character #x{exc.character:04x}, which YAML does "
            "not allow (remove it; write \\t or \\x1b inside a double-quoted string if the "
            "value needs it)", Mark(line, col), hint="remove the character") from None
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
        if loader is not None:
            loader.dispose()
    return _source(node, loader)


def _source(node: yaml.Node | None, loader: Any) -> Source:
    src = Source(data=None)
    if node is not None:
        builder = _Builder(src, loader)
        builder.size(node, set(), 0)  # refuse a bomb before building any of it
        src.data = builder.build(node, ())
    return src


class _Builder:
    """Node graph to plain data, within the budget; a node that contains itself is refused."""

    def __init__(self, src: Source, loader: Any) -> None:
        self.src = src
        self.loader = loader
        self.built = 0
        self.open: set[int] = set()  # collections being built (the current path)
        self.sizes: dict[int, int] = {}

    def _refuse(self, message: str, node: yaml.Node) -> YAMLSyntaxError:
        return YAMLSyntaxError(message, _mark(node.start_mark),
                               hint="write the values out instead of nesting or aliasing them")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.built += 1
        if self.built > MAX_VALUES:
            raise self._refuse(f"the file expands to more than {MAX_VALUES:,} values through "
                               "aliases (*name); write the values out, or use fewer aliases",
                               node)
        if len(path) > MAX_DEPTH:
            raise self._refuse(f"the file is nested too deeply (more than {MAX_DEPTH} levels)",
                               node)
        self.src.values[path] = _mark(node.start_mark)
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.loader.construct_object(node, deep=True)
        if id(node) in self.open:
            raise self._refuse("an alias refers to a value that contains it (a "
                               "self-referencing anchor), which has no end", node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self.open.discard(id(node))

    def size(self, node: yaml.Node, stack: set[int], depth: int) -> int:
        """How many values `node` expands to, aliases and `<<` merges included: linear in
        the distinct nodes (memoised), so a bomb costs nothing to measure."""
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return 1
        if id(node) in self.sizes:
            return self.sizes[id(node)]
        if depth > MAX_DEPTH:
            raise self._refuse(f"the file is nested too deeply (more than {MAX_DEPTH} levels)",
                               node)
        if id(node) in stack:
            raise self._refuse("an alias refers to a value that contains it (a "
                               "self-referencing anchor), which has no end", node)
        stack.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self.size(item, stack, depth + 1) for item in node.value)
        else:
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                    total += sum(self.size(v, stack, depth) for v in sources)
                else:
                    total += 1 + self.size(value, stack, depth + 1)
        stack.discard(id(node))
        if total > MAX_VALUES:
            raise self._refuse(f"the file expands to more than {MAX_VALUES:,} values through "
                               "aliases (*name) or merge keys (<<); write the values out, or "
                               "use fewer aliases", node)
        self.sizes[id(node)] = total
        return total

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        src = self.src
        if not hasattr(node, "own_keys"):  # an aliased node is built again, already flattened
            node.own_keys = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        own = node.own_keys
        self.loader.flatten_mapping(node)  # `<<` merge keys
        out: dict[Any, Any] = {}
        written: set[Any] = set()  # keys written in this mapping, not merged in
        for key_node, value_node in node.value:
            key = _key(key_node, self.loader)
            child = (*path, key)
            # Overriding a merged key is the point of `<<`; only a key written twice is a mistake.
            if key in written and id(key_node) in own:
                src.duplicates.append((child, src.keys[child], _mark(key_node.start_mark)))
            if id(key_node) in own:
                written.add(key)
            src.keys[child] = _mark(key_node.start_mark)
            out[key] = self.build(value_node, child)
        return out


def _key(node: yaml.Node, loader: Any) -> str:
    """A key is the text as written: YAML 1.1 would turn `1_000`, `off`, `~`, `1:30` or `1.10`
    into other values (1000, False, None, 90, 1.1), renaming a job or merging two of them."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    return str(loader.construct_object(node, deep=True))
