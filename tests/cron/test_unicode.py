"""Every registered dialect reads ASCII only: no Unicode digit is a number, and a Unicode space
separates fields only where the provider's own parser says so (the dialect's `separators`).

Python's int(), `\\d`, str.isdigit() and str.split() take any Unicode digit or space; no
provider does (Vercel's JavaScript Number(), robfig's strconv.Atoi). The walk covers every
target plugin's dialect and every variant `cron.get_dialect` makes, so a new dialect is held
to it on registration.
"""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path

import pytest

from cronctl import cron, targets
from cronctl.targets.vercel.model import VercelSettings

_spec = importlib.util.spec_from_file_location(
    "cron_corpus", Path(__file__).parents[1] / "fidelity" / "corpus" / "generate.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

DIGITS = [chr(c) for c in range(sys.maxunicode + 1)
          if unicodedata.category(chr(c)) == "Nd" and not "0" <= chr(c) <= "9"]
SPACES = corpus.unicode_spaces()
# where a digit goes: each field alone, and inside a range, a list and a step
SHAPES = ("{d} 0 * * *", "0 {d} * * *", "0 0 1{d} * *", "0 0 * 1{d} *", "0 0 * * {d}",
          "0 0 1-{d} * *", "{d},5 0 * * *", "*/{d} * * * *", "1{d} 0 * * *")


def registered() -> dict[str, cron.Dialect]:
    out = {}
    for p in targets.plugins():
        if p.dialect:
            out[p.name] = p.ref("dialect")(None)
    vercel = targets.plugin("vercel").ref("dialect")
    out["vercel-hobby"] = vercel(VercelSettings(plan="hobby"))
    out["vercel-schedules"] = vercel(VercelSettings(output="schedules"))
    for name in ("qstash", "kubernetes", "vercel"):
        out[f"get_dialect:{name}"] = cron.get_dialect(name)
    return out


DIALECTS = registered()


def test_the_walk_sees_every_target_and_all_unicode():
    assert {p.name for p in targets.plugins() if p.dialect} <= set(DIALECTS)
    assert len(DIGITS) > 600 and "\u0660" in DIGITS and "\U0001d7ce" in DIGITS
    assert {"\u00a0", "\u3000", "\u2028", "\ufeff", "\x85", "\t"} <= set(SPACES)


@pytest.mark.parametrize("name", DIALECTS)
def test_no_unicode_digit_is_a_number(name):
    dialect = DIALECTS[name]
    assert dialect.refusal("0 0 1 1 *") is None  # the shapes are otherwise fine
    accepted = [shape.format(d=d) for d in DIGITS for shape in SHAPES
                if dialect.refusal(shape.format(d=d)) is None]
    assert accepted == [], f"{len(accepted)} accepted, e.g. {accepted[:5]}"


@pytest.mark.parametrize("name", DIALECTS)
def test_a_unicode_space_separates_fields_only_where_the_provider_says(name):
    dialect = DIALECTS[name]
    wrong = []
    for sp in SPACES:
        expr = f"0{sp}0 * * *"
        if (dialect.refusal(expr) is None) != (sp in dialect.separators):
            wrong.append(f"U+{ord(sp):04X}")
    assert wrong == []


def test_separators_are_ascii_for_vercel_and_gos_isspace_for_robfig():
    assert DIALECTS["vercel"].separators == " \t"
    assert DIALECTS["vercel-schedules"].separators == " "
    assert DIALECTS["qstash"].separators == cron.gotime.GO_SPACE  # robfig/golden.json proves it


def test_vercel_names_the_foreign_character():
    (problem,) = cron.get_dialect("vercel").validate("\u0660 \u0660 * * *")
    assert problem.message.startswith("character 1, ARABIC-INDIC DIGIT ZERO (U+0660)")
    assert "0-9" in problem.hint
    (problem,) = cron.get_dialect("vercel").validate("0\u00a00 * * *")
    assert "NO-BREAK SPACE (U+00A0)" in problem.message


def test_schedules_are_trimmed_of_ascii_whitespace_only():
    assert cron.trim(" \t0 0 * * *\r\n") == "0 0 * * *"
    assert cron.trim("0 0 * * *\u00a0") == "0 0 * * *\u00a0"
    assert cron.split_tz("CRON_TZ=UTC 0 0 * * *\u3000") == ("UTC", "0 0 * * *\u3000")


ISSUE = """\
version: 1
project: acme
jobs:
  nightly:
    tier: infrastructure
    path: /api/cron/nightly
    schedule: "{schedule}"
"""


@pytest.mark.parametrize("schedule", ["\u0660 \u0660 * * *", "\uff10 0 * * *", "\u096b * * * *",
                                      "\U0001d7ce 0 * * *", "0 0 * * *\u00a0"])
def test_validate_and_generate_refuse_a_unicode_schedule(cli, write_config, project_dir,
                                                         schedule):
    path = write_config(ISSUE.format(schedule=schedule))
    code, _, err = cli("validate")
    assert code == 2
    assert f"{path}:7:15: error: job 'nightly', schedule: character " in err
    assert "(U+" in err and "Traceback" not in err
    assert cli("generate").code != 0
    assert not (project_dir / "vercel.json").exists()
