"""Cheap coercion of command-line values, so that a command does not import pydantic for them.

Typer 0.29 turns every parameter's text into its type through a pydantic `TypeAdapter`, built
on first use: running any command imports pydantic's validators and types and builds one
adapter per parameter. cronctl's parameters are plain `str`, `bool`, `int`, `float` and
`list[str]`. `PlainValue` converts the values whose reading is beyond doubt (a `str`, a flag's
bool, ASCII digits within the bounds) itself, and hands every other value to Typer's own
adapter, so errors and unusual spellings (`' 5 '`, `5.0`, `1_000`) read exactly as Typer
reads them. `tests/cli/test_params.py` compares the two on every parameter of the CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from typer._coercion import RuntimeParam, build_runtime_param

_INT = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_FLOAT = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,15})?", re.ASCII)
_PLAIN = {str: None, bool: None, int: _INT, float: _FLOAT}


@dataclass(frozen=True)
class PlainValue(RuntimeParam):
    """A `str`, `bool`, `int` or `float` parameter (one value, or a list of them)."""

    kind: type
    descriptor: Any
    many: bool = False  # list[kind]: Typer answers a list, whatever click passed

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.many:
            items = value if isinstance(value, (list, tuple)) else [value]
            return [self._one(item, param, ctx) for item in items]
        return self._one(value, param, ctx)

    def _one(self, value: Any, param: Any, ctx: Any) -> Any:
        plain = self._plain(value)
        if plain is not None:
            return plain
        # Anything unusual: Typer's own (pydantic) coercion, with its own error message.
        if self.many:
            return build_runtime_param(self.descriptor)._coerce_value([value], param, ctx)[0]
        return build_runtime_param(self.descriptor)._coerce_value(value, param, ctx)

    def _plain(self, value: Any) -> Any:
        kind = self.kind
        if kind is str or kind is bool:  # a flag's value is already a bool
            return value if type(value) is kind else None
        if type(value) is kind:
            number = value
        elif type(value) is str and _PLAIN[kind].fullmatch(value):
            number = kind(value)
        else:
            return None
        info = self.parameter_info
        if (info.min is not None and number < info.min) or (
                info.max is not None and number > info.max) or info.clamp:
            return None
        return number


def plain_runtime_param(param: Any) -> PlainValue | None:
    """The cheap coercion for `param`, or None when Typer's own is needed (paths, files,
    choices, parsers, callbacks on the type, tuples)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or descriptor.file_annotation is not None:
        return None
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.is_path or descriptor.is_choice:
        return None
    annotation = descriptor.annotation
    many = descriptor.is_list
    if many:
        args = getattr(annotation, "__args__", ())
        annotation = args[0] if len(args) == 1 else None
    if annotation not in _PLAIN:
        return None
    return PlainValue(parameter_info=info, annotation=descriptor.annotation, kind=annotation,
                      descriptor=descriptor, many=many)


def use_plain_coercion(params: list[Any]) -> None:
    for param in params:
        if getattr(param, "_runtime_param", "absent") is None:
            plain = plain_runtime_param(param)
            if plain is not None:
                param._runtime_param = plain
