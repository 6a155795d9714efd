"""The file format's dataclasses (`model.py`) as pydantic models, made on demand.

`cronctl schema` writes the JSON Schema from them, and the tests use them as the reference that
`shape.py` must agree with. Nothing on the way of loading a file imports this module (or
pydantic): `tests/cli/test_startup_imports.py` checks that.
"""

from __future__ import annotations

import dataclasses
import types
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from .shape import STRICT, Before, Ge, Le, MinLen, Pattern, fields


@cache
def model_of(cls: type) -> type[BaseModel]:
    """The pydantic model of a format dataclass: same fields, order, defaults, bounds,
    docstring and each field's description (its attribute docstring, as the configuration
    reference shows it), with pydantic's strict config."""
    from .reference import field_docs

    docs = field_docs(cls)
    definitions: dict[str, Any] = {}
    for name, (tp, field) in fields(cls).items():
        if field.default_factory is not dataclasses.MISSING:
            default: Any = Field(default_factory=_factory(field.default_factory),
                                 description=docs.get(name))
        elif field.default is dataclasses.MISSING:
            default = Field(description=docs.get(name))
        else:
            default = Field(_value(field.default), description=docs.get(name))
        definitions[name] = (annotation(tp), default)
    doc = cls.__doc__
    if doc and doc.startswith(f"{cls.__name__}("):  # dataclasses' made-up docstring
        doc = None
    return create_model(cls.__name__, __config__=ConfigDict(**STRICT), __doc__=doc,
                        __module__=cls.__module__, **definitions)


def annotation(tp: Any) -> Any:
    """`tp` with format dataclasses as their models and cronctl's markers as pydantic's."""
    if dataclasses.is_dataclass(tp):
        return model_of(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return Annotated[(annotation(args[0]), *(_marker(m) for m in tp.__metadata__))]
    if origin is Union or origin is types.UnionType:
        return Union[tuple(annotation(a) for a in args)]  # noqa: UP007
    if origin is Literal or not args:
        return tp
    return origin[tuple(annotation(a) for a in args)]


def _marker(mark: Any) -> Any:
    if isinstance(mark, Ge):
        return Field(ge=mark.bound)
    if isinstance(mark, Le):
        return Field(le=mark.bound)
    if isinstance(mark, MinLen):
        return Field(min_length=mark.length)
    if isinstance(mark, Pattern):
        return Field(pattern=mark.regex)
    if isinstance(mark, Before):
        if mark.accepts is None:
            return BeforeValidator(mark.func)
        return BeforeValidator(mark.func, json_schema_input_type=annotation(mark.accepts))
    return mark


def _value(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return model_of(type(value))(**{k: _value(v) for k, v in vars(value).items()})
    return value


def _factory(make: Any) -> Any:
    if dataclasses.is_dataclass(make):
        return model_of(make)
    return make
