"""Checking parsed YAML against the file format's dataclasses (`model.py`), without pydantic.

The format is declared once, as frozen dataclasses whose annotations say the type and, through
the markers below, the bounds. This module reads those declarations and checks a value the way
pydantic's strict mode does, down to its error records (`loc`, `type`, `msg`, `input`), so
`load.py` turns them into the same messages. Loading pydantic and building its validators was
most of `cronctl validate`'s start-up (BENCHMARKS.md has the before and after).

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


# The rules checked here, as pydantic's config (asmodels.py gives it to the models it makes).
STRICT = {"extra": "forbid", "strict": True, "frozen": True}


def spec(cls: type) -> type:
    """A class of the format: a frozen, keyword-only dataclass (fields keep their order)."""
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
    value = checker(cls)(data, (), errors)
    if errors:
        raise Invalid(errors)
    return value


# -- the check: each annotation becomes a function once ---------------------------------------
# A checker takes (value, location, errors) and returns the checked value, or _MISSING after
# adding its errors (pydantic's records: type, loc, msg, input).
Checker = Callable[[Any, tuple, list], Any]
_MISSING = object()
_TYPE_NAMES = {str: ("string_type", "a valid string"), bool: ("bool_type", "a valid boolean"),
               int: ("int_type", "a valid integer"), float: ("float_type", "a valid number")}
_checkers: dict[int, tuple[Any, Checker]] = {}  # by id: typing objects hash slowly


def either(words: list[str]) -> str:
    """`'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`: how pydantic lists what it expected."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _error(errors: list, loc: tuple, kind: str, msg: str, value: Any) -> object:
    errors.append({"type": kind, "loc": loc, "msg": msg, "input": value})
    return _MISSING


def checker(tp: Any) -> Checker:
    known = _checkers.get(id(tp))
    if known is None or known[0] is not tp:
        known = (tp, _compile(tp))
        _checkers[id(tp)] = known
    return known[1]


def _compile(tp: Any) -> Checker:  # noqa: C901 - one branch per kind of annotation
    if dataclasses.is_dataclass(tp):
        return _spec_checker(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _annotated_checker(args[0], tp.__metadata__)
    if origin is Union or origin is types.UnionType:
        return _union_checker(args)
    if origin is Literal:
        expected = either([repr(c) for c in args])
        allowed = {(type(c), c) for c in args}

        def literal(value: Any, loc: tuple, errors: list) -> Any:
            try:
                if (type(value), value) in allowed:
                    return value
            except TypeError:  # unhashable
                pass
            return _error(errors, loc, "literal_error", f"Input should be {expected}", value)
        return literal
    if origin is list:
        return _list_checker(args[0] if args else Any)
    if origin is dict:
        return _dict_checker(*(args or (Any, Any)))
    if tp is Any:
        return lambda value, loc, errors: value
    if tp is type(None):
        return lambda value, loc, errors: value if value is None else _error(
            errors, loc, "none_required", "Input should be None", value)
    if tp in _TYPE_NAMES:
        return _plain_checker(tp)
    raise TypeError(f"schedules.yaml format: unsupported annotation {tp!r}")


def _plain_checker(tp: type) -> Checker:
    kind, what = _TYPE_NAMES[tp]
    message = f"Input should be {what}"

    def plain(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is tp or (tp is str and isinstance(value, str)):
            return value
        if tp is float and type(value) is int:
            return float(value)
        return _error(errors, loc, kind, message, value)
    return plain


def _spec_checker(cls: type) -> Checker:
    # Every field's checker now, so an annotation this module cannot check fails at once.
    parts = [(name, checker(tp), field.default is dataclasses.MISSING
              and field.default_factory is dataclasses.MISSING)
             for name, (tp, field) in fields(cls).items()]
    wrong_type = f"Input should be a valid dictionary or instance of {cls.__name__}"

    def spec_(value: Any, loc: tuple, errors: list) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            return _error(errors, loc, "model_type", wrong_type, value)
        before = len(errors)
        kwargs: dict[str, Any] = {}
        for name, check, required in parts:
            if name in value:
                kwargs[name] = check(value[name], (*loc, name), errors)
            elif required:
                _error(errors, (*loc, name), "missing", "Field required", value)
        if len(kwargs) < len(value):
            for key, extra in value.items():
                if key not in kwargs:
                    _error(errors, (*loc, key), "extra_forbidden",
                           "Extra inputs are not permitted", extra)
        if len(errors) > before:
            return _MISSING
        return cls(**kwargs)
    return spec_


def _list_checker(item_type: Any) -> Checker:
    def list_(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not list:
            return _error(errors, loc, "list_type", "Input should be a valid list", value)
        check = checker(item_type)
        out = [check(v, (*loc, i), errors) for i, v in enumerate(value)]
        return _MISSING if any(v is _MISSING for v in out) else out
    return list_


def _dict_checker(key_type: Any, value_type: Any) -> Checker:
    def dict_(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not dict:
            return _error(errors, loc, "dict_type", "Input should be a valid dictionary", value)
        check_key, check_value = checker(key_type), checker(value_type)
        out: dict[Any, Any] = {}
        bad = False
        for key, item in value.items():
            checked_key = check_key(key, (*loc, key, "[key]"), errors)
            checked = check_value(item, (*loc, key), errors)
            if checked_key is _MISSING or checked is _MISSING:
                bad = True
            else:
                out[checked_key] = checked
        return _MISSING if bad else out
    return dict_


def _union_checker(members: tuple) -> Checker:
    nullable = type(None) in members
    members = tuple(m for m in members if m is not type(None))
    if len(members) == 1:  # `X | None`: X's own errors, as pydantic's nullable schema
        only = members[0]

        def optional(value: Any, loc: tuple, errors: list) -> Any:
            return None if value is None else checker(only)(value, loc, errors)
        return optional
    tagged = [(member, _tag(member)) for member in members]

    def union(value: Any, loc: tuple, errors: list) -> Any:
        if value is None and nullable:
            return None
        tried: list[dict[str, Any]] = []
        for member, tag in tagged:
            mine: list[dict[str, Any]] = []
            checked = checker(member)(value, (*loc, tag), mine)
            if not mine:
                return checked
            for error in mine:  # where the member's name is in `loc` (not a pydantic key)
                error.setdefault("union", len(loc))
            tried.extend(mine)
        errors.extend(tried)
        return _MISSING
    return union


def _annotated_checker(inner: Any, marks: tuple) -> Checker:
    befores = [m.func for m in marks if isinstance(m, Before)]
    limits = [m for m in marks if not isinstance(m, Before)]

    def annotated(value: Any, loc: tuple, errors: list) -> Any:
        for func in befores:
            try:
                value = func(value)
            except ValueError as exc:
                return _error(errors, loc, "value_error", f"Value error, {exc}", value)
        checked = checker(inner)(value, loc, errors)
        if checked is _MISSING:
            return checked
        for mark in limits:
            problem = _limit(mark, checked)
            if problem:
                return _error(errors, loc, *problem, value)
        return checked
    return annotated


def _limit(mark: Any, value: Any) -> tuple[str, str] | None:
    """The error (type, message) when `value` breaks the constraint `mark`."""
    if isinstance(mark, Ge) and value < mark.bound:
        return "greater_than_equal", f"Input should be greater than or equal to {mark.bound}"
    if isinstance(mark, Le) and value > mark.bound:
        return "less_than_equal", f"Input should be less than or equal to {mark.bound}"
    if isinstance(mark, MinLen) and len(value) < mark.length:
        unit = "character" if mark.length == 1 else "characters"
        return "string_too_short", f"String should have at least {mark.length} {unit}"
    if isinstance(mark, Pattern) and not _matches(mark, value):
        return "string_pattern_mismatch", f"String should match pattern '{mark.regex}'"
    return None


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

