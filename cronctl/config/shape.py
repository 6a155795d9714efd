"""Checking parsed YAML against the file format's dataclasses (`model.py`), without pydantic.

The format is declared once, as frozen dataclasses whose annotations say the type and, through
the markers below, the bounds. This module reads those declarations and checks a value the way
pydantic's strict mode does, down to its error records (`loc`, `type`, `msg`, `input`), so
`load.py` turns them into the same messages. Loading pydantic and building its validators was
most of `cronctl validate`'s start-up; reading a few dataclasses here costs a millisecond.

Where the two must agree is proved, not assumed: `asmodels.py` turns the same dataclasses into
pydantic models (for `cronctl schema`), and `tests/config/test_shape.py` checks both on the
example, the malformed corpus and thousands of generated variants, value for value and error
for error.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin


# -- markers: the constraints an annotation carries ------------------------------------------
@dataclasses.dataclass(frozen=True)
class Ge:
    bound: float


@dataclasses.dataclass(frozen=True)
class Le:
    bound: float


@dataclasses.dataclass(frozen=True)
class MinLen:
    length: int


@dataclasses.dataclass(frozen=True)
class Pattern:
    regex: str

    @property
    def compiled(self) -> re.Pattern[str]:
        return _regex(self.regex)


@dataclasses.dataclass(frozen=True)
class Before:
    """A function applied before the type check (its ValueError is the error); `accepts` is
    what the JSON Schema says the field takes."""

    func: Callable[[Any], Any]
    accepts: Any = None


STRICT = {"extra": "forbid", "strict": True, "frozen": True}  # also pydantic's config


def spec(cls: type) -> type:
    """A class of the format: a frozen, keyword-only dataclass (fields keep their order)."""
    cls.__pydantic_config__ = STRICT  # type: ignore[attr-defined]
    return dataclasses.dataclass(frozen=True, kw_only=True)(cls)


class Invalid(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


@cache
def fields(cls: type) -> dict[str, tuple[Any, dataclasses.Field]]:
    """Each field's annotation (markers included) and its dataclass field, in order."""
    types_ = typing.get_type_hints(cls, include_extras=True)
    return {f.name: (types_[f.name], f) for f in dataclasses.fields(cls)}


def validate(cls: type, data: Any) -> Any:
    """An instance of `cls` from `data`, or `Invalid` with every error."""
    errors: list[dict[str, Any]] = []
    value = _check(cls, data, (), errors)
    if errors:
        raise Invalid(errors)
    return value


# -- the check -------------------------------------------------------------------------------
_MISSING = object()
_TYPE_NAMES = {str: ("string_type", "a valid string"), bool: ("bool_type", "a valid boolean"),
               int: ("int_type", "a valid integer"), float: ("float_type", "a valid number")}


def _error(errors: list, loc: tuple, kind: str, msg: str, value: Any) -> object:
    errors.append({"type": kind, "loc": loc, "msg": msg, "input": value})
    return _MISSING


def _check(tp: Any, value: Any, loc: tuple, errors: list) -> Any:
    """The checked value at `loc`, or _MISSING after adding its errors."""
    if dataclasses.is_dataclass(tp):
        return _check_spec(tp, value, loc, errors)
    origin = get_origin(tp)
    if origin is Annotated:
        return _check_annotated(tp, value, loc, errors)
    if origin is Union or origin is types.UnionType:
        return _check_union(tp, value, loc, errors)
    if origin is Literal:
        choices = get_args(tp)
        if any(value == c and type(value) is type(c) for c in choices):
            return value
        words = [repr(c) for c in choices]
        expected = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return _error(errors, loc, "literal_error", f"Input should be {expected}", value)
    if origin is list:
        if type(value) is not list:
            return _error(errors, loc, "list_type", "Input should be a valid list", value)
        (item,) = get_args(tp) or (Any,)
        out = [_check(item, v, (*loc, i), errors) for i, v in enumerate(value)]
        return _MISSING if _MISSING in out else out
    if origin is dict:
        return _check_dict(tp, value, loc, errors)
    if tp is Any:
        return value
    if tp is type(None):
        if value is None:
            return None
        return _error(errors, loc, "none_required", "Input should be None", value)
    kind, what = _TYPE_NAMES[tp]
    if type(value) is tp or (tp is float and type(value) is int) or (
            tp is str and isinstance(value, str)):
        return float(value) if tp is float else value
    return _error(errors, loc, kind, f"Input should be {what}", value)


def _check_spec(cls: type, value: Any, loc: tuple, errors: list) -> Any:
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        return _error(errors, loc, "model_type",
                      f"Input should be a valid dictionary or instance of {cls.__name__}", value)
    before = len(errors)
    kwargs: dict[str, Any] = {}
    for name, (tp, field) in fields(cls).items():
        if name in value:
            kwargs[name] = _check(tp, value[name], (*loc, name), errors)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            _error(errors, (*loc, name), "missing", "Field required", value)
    for key, extra in value.items():
        if key not in fields(cls):
            _error(errors, (*loc, key), "extra_forbidden", "Extra inputs are not permitted",
                   extra)
    if len(errors) > before:
        return _MISSING
    return cls(**kwargs)


def _check_dict(tp: Any, value: Any, loc: tuple, errors: list) -> Any:
    if type(value) is not dict:
        return _error(errors, loc, "dict_type", "Input should be a valid dictionary", value)
    key_type, value_type = get_args(tp) or (Any, Any)
    out: dict[Any, Any] = {}
    bad = False
    for key, item in value.items():
        checked_key = _check(key_type, key, (*loc, key, "[key]"), errors)
        checked = _check(value_type, item, (*loc, key), errors)
        if checked_key is _MISSING or checked is _MISSING:
            bad = True
        else:
            out[checked_key] = checked
    return _MISSING if bad else out


def _check_union(tp: Any, value: Any, loc: tuple, errors: list) -> Any:
    members = get_args(tp)
    if value is None and type(None) in members:
        return None
    members = tuple(m for m in members if m is not type(None))
    if len(members) == 1:  # `X | None`: X's own errors, as pydantic's nullable schema
        return _check(members[0], value, loc, errors)
    tried: list[dict[str, Any]] = []
    for member in members:
        mine: list[dict[str, Any]] = []
        checked = _check(member, value, (*loc, _tag(member)), mine)
        if not mine:
            return checked
        tried.extend(mine)
    errors.extend(tried)
    return _MISSING


def _check_annotated(tp: Any, value: Any, loc: tuple, errors: list) -> Any:
    inner, *marks = get_args(tp)
    for mark in marks:
        if isinstance(mark, Before):
            try:
                value = mark.func(value)
            except ValueError as exc:
                return _error(errors, loc, "value_error", f"Value error, {exc}", value)
    checked = _check(inner, value, loc, errors)
    if checked is _MISSING:
        return checked
    for mark in marks:
        if isinstance(mark, Ge) and checked < mark.bound:
            return _error(errors, loc, "greater_than_equal",
                          f"Input should be greater than or equal to {mark.bound}", value)
        if isinstance(mark, Le) and checked > mark.bound:
            return _error(errors, loc, "less_than_equal",
                          f"Input should be less than or equal to {mark.bound}", value)
        if isinstance(mark, MinLen) and len(checked) < mark.length:
            unit = "character" if mark.length == 1 else "characters"
            return _error(errors, loc, "string_too_short",
                          f"String should have at least {mark.length} {unit}", value)
        if isinstance(mark, Pattern) and not _matches(mark, checked):
            return _error(errors, loc, "string_pattern_mismatch",
                          f"String should match pattern '{mark.regex}'", value)
    return checked


def _matches(mark: Pattern, text: str) -> bool:
    # pydantic's (Rust) regex: `$` is the end of the text, never before a final newline
    found = mark.compiled.search(text)
    return found is not None and (not mark.regex.endswith("$") or found.end() == len(text))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _tag(tp: Any) -> str:
    """The name pydantic gives a union member in an error's location."""
    if dataclasses.is_dataclass(tp):
        return tp.__name__
    origin = get_origin(tp)
    if origin is Annotated:
        return _tag(get_args(tp)[0])
    if origin in (list, dict):
        return f"{origin.__name__}[{','.join(_tag(a) for a in get_args(tp))}]"
    if tp is Any:
        return "any"
    return getattr(tp, "__name__", str(tp))

