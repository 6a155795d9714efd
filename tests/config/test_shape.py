"""`shape.py` checks schedules.yaml exactly as pydantic's strict mode does, without pydantic.

The reference is pydantic itself, run on the same declarations (`asmodels.model_of`): for the
example, every file of the malformed corpus, and thousands of generated variants (each field of
each class set to each of a few dozen values a person or a hostile file might write, then
random combinations), both must accept the same inputs with the same values, or refuse them
with the same errors in the same order (type, location, message, input).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from pathlib import Path

import pydantic
import pytest

from cronctl.config import model
from cronctl.config.asmodels import model_of
from cronctl.config.shape import Invalid, fields, validate
from cronctl.config.yamlsource import YAMLSyntaxError, parse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "corpus" / "malformed").glob("*.yaml"))

VALUES = [None, True, False, 0, 1, -1, 15, 16, 1000, 2**70, 0.0, 0.5, 1.5, -0.5, "", " ", "x",
          "a\n", "acme", "Acme", "GET", "get", "fetch", "30", "5m", " 5 m ", "5 minutes", "100ms",
          "1500ms", "infrastructure", "business", "vercel", "kubernetes", "Forbid", "Never",
          "hobby", "schedules", "0 9 * * *", "/api/a", "-bad", "a" * 101, [], ["a"], [1],
          ["a", None], {}, {"a": 1}, {"a": "b"}, {"a": None}, {"secret": "s", "key": "k"},
          {"secret": "", "key": "k"}, {"secret": "s"}, {"cpu": 1, "memory": "1Gi"},
          {"plan": "pro"}, {"path": "/d", "components": ["db"]}, {"infrastructure": "qstash"}]

JOBS = model.job_models()
FileModel = model.file_model()
BASES = {
    FileModel: {"version": 1, "project": "acme", "jobs": {}},
    JOBS["vercel"]: {"tier": "infrastructure", "path": "/api/a", "schedule": "0 9 * * *"},
    JOBS["qstash"]: {"tier": "business", "path": "/api/b", "schedule": "0 9 * * *"},
    JOBS["kubernetes"]: {"target": "kubernetes", "schedule": "0 9 * * *", "image": "busybox"},
}


def _nested(cls: type) -> list[tuple[str, type]]:
    """The fields of `cls` that hold another class of the format."""
    found = []
    for name, (tp, _field) in fields(cls).items():
        stack = [tp]
        while stack:
            t = stack.pop()
            if dataclasses.is_dataclass(t):
                found.append((name, t))
            stack.extend(getattr(t, "__args__", ()))
    return found


def variants(cls: type, base: dict, depth: int = 0):
    for name in fields(cls):
        for value in VALUES:
            yield {**base, name: copy.deepcopy(value)}
        rest = dict(base)
        rest.pop(name, None)
        yield rest  # missing
    yield {**base, "unknown_key": 1, "Enabled": True}
    if depth < 2:
        for name, inner in _nested(cls):
            for sub in variants(inner, {}, depth + 1):
                yield {**base, name: sub}
                yield {**base, name: {"x": sub}}  # inside a mapping (env: {X: {...}})


def random_variants(cls: type, base: dict, count: int, seed: int):
    rng = random.Random(seed)
    names = [*fields(cls), "unknown_key"]
    for _ in range(count):
        data = dict(base)
        for name in rng.sample(names, rng.randint(1, 5)):
            data[name] = copy.deepcopy(rng.choice(VALUES))
        yield data


def _plain(value):
    """A comparable form: dataclass or model -> dict, and the type of every leaf."""
    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, pydantic.BaseModel):
        value = {k: getattr(value, k) for k in type(value).model_fields}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return (type(value).__name__, value)


def outcome_of_shape(cls, data):
    try:
        return "ok", _plain(validate(cls, copy.deepcopy(data)))
    except Invalid as exc:
        return "invalid", [_error(e) for e in exc.errors()]


def outcome_of_pydantic(cls, data):
    try:
        return "ok", _plain(model_of(cls).model_validate(copy.deepcopy(data)))
    except pydantic.ValidationError as exc:
        return "invalid", [_error(e) for e in exc.errors()]


def _error(err: dict) -> tuple:
    return err["type"], tuple(err["loc"]), err["msg"], repr(err.get("input"))


def _agree(cls, cases) -> tuple[int, int]:
    accepted = refused = 0
    for data in cases:
        mine, theirs = outcome_of_shape(cls, data), outcome_of_pydantic(cls, data)
        assert mine == theirs, (cls.__name__, data)
        accepted += mine[0] == "ok"
        refused += mine[0] == "invalid"
    return accepted, refused


@pytest.mark.parametrize("cls", list(BASES), ids=lambda c: c.__name__)
def test_every_field_against_every_value_agrees_with_pydantic(cls):
    accepted, refused = _agree(cls, variants(cls, BASES[cls]))
    # the control: both outcomes are exercised in numbers
    assert accepted > 50 and refused > 400, (accepted, refused)


@pytest.mark.parametrize("cls", list(BASES), ids=lambda c: c.__name__)
def test_random_combinations_agree_with_pydantic(cls):
    accepted, refused = _agree(cls, random_variants(cls, BASES[cls], 1500, seed=20261123))
    assert accepted > 10 and refused > 1000, (accepted, refused)


def _documents():
    for path in [ROOT / "schedules.yaml", *CORPUS]:
        try:
            data = parse(path.read_text(encoding="utf-8")).data
        except YAMLSyntaxError:
            continue
        if isinstance(data, dict):
            yield path.name, data


def test_the_example_and_the_corpus_agree_with_pydantic():
    jobs_checked = 0
    for _name, data in _documents():
        top = {k: v for k, v in data.items() if k != "jobs"}
        _agree(FileModel, [{**top, "jobs": {}}])
        jobs = data.get("jobs")
        for job in (jobs.values() if isinstance(jobs, dict) else ()):
            for cls in JOBS.values():  # every job against every job class
                _agree(cls, [job])
                jobs_checked += 1
    assert jobs_checked > 100, jobs_checked


def test_pydantic_reference_is_strict_like_the_format():
    """The control for the reference: pydantic really is asked the strict question."""
    with pytest.raises(pydantic.ValidationError):
        model_of(JOBS["qstash"]).model_validate({**BASES[JOBS["qstash"]], "retries": "3"})
    with pytest.raises(Invalid):
        validate(JOBS["qstash"], {**BASES[JOBS["qstash"]], "retries": "3"})


def test_an_annotation_shape_cannot_check_fails_at_once():
    """A field of a kind shape.py does not know (here a set) fails when its class is first
    checked, whatever the file holds; it is never skipped."""
    from cronctl.config.shape import spec

    @spec
    class Odd:
        name: str = "x"
        tags: set[str] = dataclasses.field(default_factory=set)

    with pytest.raises(TypeError, match="unsupported annotation"):
        validate(Odd, {"name": "y"})
