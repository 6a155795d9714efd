"""The configuration reference (docs/configuration.md), as Markdown, from the same declarations
and registry as the JSON Schema: the file model, each target's settings and job model.

A key's description is the attribute docstring under its declaration (the string right after
`name: type = default`, the convention Sphinx and pydantic read); the top level's are
`model.TOP_DOCS`. Types and defaults come from the annotations, so the page cannot say what
the loader does not do. `cronctl schema --markdown` prints it, and writes it between the
markers of a page (`-o docs/configuration.md`); a test holds the committed page to it.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from .. import targets
from ..durations import parse_duration
from .model import JobFields, file_model, job_models
from .shape import Before, Ge, Le, fields

BEGIN = ("<!-- BEGIN cronctl schema --markdown: generated from the format's declarations; "
         "edit those, then run `cronctl schema --markdown -o docs/configuration.md` -->")
END = "<!-- END cronctl schema --markdown -->"


def field_docs(cls: type) -> dict[str, str]:
    """Each field's description: its attribute docstring (inherited ones too), or the class's
    `__field_docs__` for a class made at run time."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        docs.update(vars(klass).get("__field_docs__", {}))
        if klass is object or not dataclasses.is_dataclass(klass):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
        for stmt, after in zip(body, body[1:], strict=False):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[stmt.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return docs


def class_doc(cls: type) -> str:
    doc = cls.__doc__ or ""
    if doc.startswith(f"{cls.__name__}("):  # dataclasses' made-up docstring
        return ""
    return " ".join(inspect.cleandoc(doc).split())


# -- types and defaults, as a reader says them ------------------------------------------------
_WORDS = {str: "text", int: "integer", float: "number", bool: "`true` or `false`", Any: "any"}


def type_text(tp: Any, anchors: dict[type, str]) -> str:
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _annotated(args[0], tp.__metadata__, anchors)
    if origin is Union or origin is types.UnionType:
        parts = [type_text(a, anchors) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(parts))
    if origin is Literal:
        values = [f"`{v}`" for v in args]
        return values[0] if len(values) == 1 else "one of " + ", ".join(values)
    if origin is list:
        return f"list of {type_text(args[0], anchors)}" if args and args[0] is not Any else "list"
    if origin is dict:
        if not args or args[1] is Any:
            return "mapping"
        return f"mapping of {type_text(args[0], anchors)} to {type_text(args[1], anchors)}"
    if dataclasses.is_dataclass(tp):
        return f"mapping ([{tp.__name__}](#{anchors[tp]}))" if tp in anchors else "mapping"
    return _WORDS.get(tp, getattr(tp, "__name__", str(tp)))


def _annotated(base: Any, marks: tuple, anchors: dict[type, str]) -> str:
    for mark in marks:
        if isinstance(mark, Before) and mark.func is parse_duration:
            return "duration" + _bounds(marks, "s")
    return type_text(base, anchors) + _bounds(marks, "")


def _is_duration(tp: Any) -> bool:
    return get_origin(tp) is Annotated and any(
        isinstance(m, Before) and m.func is parse_duration for m in tp.__metadata__)


def _bounds(marks: tuple, unit: str) -> str:
    low = next((m.bound for m in marks if isinstance(m, Ge)), None)
    high = next((m.bound for m in marks if isinstance(m, Le)), None)
    if low is not None and high is not None:
        return f", {low:g} to {high:g}{unit}"
    if low is not None:
        return f", at least {low:g}{unit}"
    if high is not None:
        return f", at most {high:g}{unit}"
    return ""


def default_text(tp: Any, field: dataclasses.Field) -> str:
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    elif field.default is dataclasses.MISSING:
        return "**required**"
    else:
        value = field.default
    if value is None:
        return ""
    if dataclasses.is_dataclass(value):
        try:
            plain = value == type(value)()
        except TypeError:  # a class with required keys
            plain = False
        if plain:
            return "each key's"
        value = {k: v for k, v in dataclasses.asdict(value).items() if v is not None}
    if isinstance(value, int) and not isinstance(value, bool) and _is_duration(tp):
        return f"`{value}s`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`" if value else "`''`"
    if isinstance(value, dict) and value:
        return "`{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}`"
    return f"`{json.dumps(value)}`"


# -- the page ---------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(cls: type, names: list[str], anchors: dict[type, str]) -> list[str]:
    docs, shape = field_docs(cls), fields(cls)
    rows = ["| key | takes | default | meaning |", "|---|---|---|---|"]
    for name in names:
        tp, field = shape[name]
        rows.append(f"| `{name}` | {_cell(type_text(tp, anchors))} | "
                    f"{_cell(default_text(tp, field))} | {_cell(docs.get(name, ''))} |")
    return rows


def _nested(cls: type, found: list[type]) -> None:
    """The format classes reachable from `cls`'s fields, in order of first use."""
    def walk(tp: Any) -> None:
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if tp not in found:
                found.append(tp)
                _nested(tp, found)
            return
        for arg in get_args(tp):
            walk(arg)
    for tp, _ in fields(cls).values():
        walk(tp)


def _top_key(top: type, cls: type) -> str | None:
    """The top-level key whose value is a `cls` (`vercel:`), if any."""
    return next((k for k, (tp, _) in fields(top).items() if cls is tp or cls in get_args(tp)),
                None)


def render() -> str:
    """The reference, between its markers."""
    top = file_model()
    models = job_models()
    settings = {p.settings_key: p for p in targets.plugins() if p.settings_key}
    sections: list[type] = []
    _nested(top, sections)
    for model in models.values():
        _nested(model, sections)
    keys = {cls: _top_key(top, cls) for cls in sections}
    anchors = {cls: f"key-{key}" if key else cls.__name__.lower() for cls, key in keys.items()}
    out = [BEGIN, "", "## The top level", "",
           "A *duration* is a number of seconds or a number with a unit: `30`, `30s`, `5m`, "
           "`1h`, `2d`. An empty default means the key is unset unless the meaning says "
           "otherwise.", ""]
    out += table(top, list(fields(top)), anchors)
    out += ["", "## Top-level sections", ""]
    for cls in sections:
        top_key = keys[cls]
        plugin = settings.get(top_key)
        title = f"`{top_key}:`" if top_key else cls.__name__
        if plugin:
            title += f" ({plugin.title})"
        out += [f"### {title} {{ #{anchors[cls]} }}", ""]
        if doc := class_doc(cls):
            out += [doc, ""]
        out += table(cls, list(fields(cls)), anchors) + [""]
    common = list(fields(JobFields))
    out += ["## Every job", "",
            "Every job has these keys, whatever its target; its target adds its own (below).", ""]
    out += table(JobFields, common, anchors)
    out += ["", "## Jobs by target", ""]
    tier_of = {t: tier for tier, t in targets.tier_targets().items()}
    for plugin in targets.plugins():
        model = models[plugin.name]
        title = f"### `target: {plugin.name}` ({plugin.title})"
        out += [f"{title} {{ #target-{plugin.name} }}", ""]
        way = f"`target: {plugin.name}`"
        if plugin.name in tier_of:
            way += f", or `tier: {tier_of[plugin.name]}`"
        doc = class_doc(model)
        out += [" ".join(filter(None, [doc, f"A job runs here with {way}."])), ""]
        own = [n for n in fields(model) if n not in common or n in vars(model)["__annotations__"]]
        out += table(model, own, anchors) + [""]
    out.append(END)
    return "\n".join(out) + "\n"


class NoMarkers(ValueError):
    pass


def inject(page: str) -> str:
    """`page` with the reference between its markers replaced by a fresh one."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise NoMarkers(f"{BEGIN}\n...\n{END}")
    return page[:start] + render() + page[end + len(END) + 1:]
