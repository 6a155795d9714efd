"""cronctl's cheap coercion of command-line values reads every value exactly as Typer's own
(pydantic) coercion does: compared on every parameter of the real CLI, over values a person
types, with the same result or the same error message."""

from __future__ import annotations

import pytest
import typer.main
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from cronctl.cli import app
from cronctl.cli.params import PlainValue, plain_runtime_param

TYPED = ["0", "1", "7", "-3", "+5", "007", " 5 ", "5.0", "1_000", "0.5", "-0.25", "1e3", "abc",
         "", "true", "٣", "99999999999999999999", "1000", "1001", "12345678901234567890123",
         ".5", "5.", "inf", "nan", "0x10", "\u00a05"]


def _all_params():
    def walk(command, path):
        ctx = typer.main._click.Context(command)  # what parse_args sees: get_params(ctx)
        for param in command.get_params(ctx):
            yield f"{path} {param.name}", param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    return list(walk(typer.main.get_command(app), "cronctl"))


PARAMS = _all_params()


def _outcome(runtime, value, param):
    try:
        return "ok", runtime._coerce_value(value, param=param, ctx=None)
    except BadParameter as exc:
        return "error", exc.message


def test_every_plain_parameter_of_the_cli_is_covered():
    kinds = {}
    for name, param in PARAMS:
        plain = plain_runtime_param(param)
        if plain is not None:
            kinds.setdefault(plain.kind, []).append(name)
    # the control: the comparison below runs on real parameters of each kind
    assert {str, bool, int, float} <= set(kinds), kinds
    assert sum(map(len, kinds.values())) >= 40


@pytest.mark.parametrize("name,param", PARAMS, ids=[n for n, _ in PARAMS])
def test_same_value_or_same_error_as_typer(name, param):
    plain = plain_runtime_param(param)
    if plain is None:
        pytest.skip("Typer's own coercion (not a plain type)")
    typer_own = build_runtime_param(param.type_descriptor)
    values = [*TYPED]
    if param.default is not None:
        values.append(param.default)
    if plain.kind is bool:
        values = [True, False, *values]
    if getattr(param, "multiple", False):
        values.append(tuple(TYPED[:6]))
    for value in values:
        mine, theirs = _outcome(plain, value, param), _outcome(typer_own, value, param)
        assert repr(mine) == repr(theirs), (value, mine, theirs)  # repr: nan == nan
        if mine[0] == "ok":
            assert type(mine[1]) is type(theirs[1]), value


def test_bounds_and_unusual_spellings_go_to_typer():
    """The cheap path itself answers only plain spellings within bounds; the rest is Typer's."""
    (count,) = [p for n, p in PARAMS if n == "cronctl next count"]
    plain = plain_runtime_param(count)
    assert isinstance(plain, PlainValue) and plain.kind is int
    assert plain._plain("12") == 12
    for handed_on in ("0", "1001", " 5 ", "5.0", "1_000", "abc"):
        assert plain._plain(handed_on) is None, handed_on


def test_a_command_runs_without_building_a_pydantic_adapter(monkeypatch, cli, write_config):
    """Typer builds an adapter only for a value cronctl hands on; a plain run builds none."""
    import typer._coercion

    built = []
    real = typer._coercion.build_runtime_param
    monkeypatch.setattr("cronctl.cli.params.build_runtime_param",
                        lambda d: built.append(d) or real(d))
    monkeypatch.setattr("typer.core.build_runtime_param", lambda d: built.append(d) or real(d))
    write_config("version: 1\nproject: acme\njobs:\n  a:\n    tier: infrastructure\n"
                 "    path: /api/a\n    schedule: \"0 9 * * *\"\n")
    assert cli("validate", "-v").code == 0
    assert cli("next", "a", "-n", "3").code == 0
    assert built == []
    assert cli("next", "a", "-n", " 3").code == 0  # unusual: Typer reads it, as before
    assert len(built) == 1
