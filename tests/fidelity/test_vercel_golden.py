"""cronctl's Vercel dialects against Vercel's own validators' verdicts (vercel/golden.json).

golden.json is written by scripts/vercel_golden.py, which runs Vercel's code from the npm
registry over the shared corpus (tests/fidelity/corpus/cron.json); this test needs no node.
The bar: nothing cronctl accepts is refused by Vercel, and each refusal of something Vercel
accepts falls in one of the DELIBERATE classes, each listed with its reason in docs/dialects.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl import cron

HERE = Path(__file__).parent
GOLDEN = json.loads((HERE / "vercel" / "golden.json").read_text("utf-8"))
CORPUS = json.loads((HERE / "corpus" / "cron.json").read_text("utf-8"))["cases"]
DOCS = HERE.parent.parent / "docs" / "dialects.md"

# class -> the fragment of cronctl's error that marks it (the docs name each class in bold)
DELIBERATE = {
    "number forms": "plain decimal digits",
    "empty list items": "a list has an empty item",
    "malformed items": "is not valid",
    "day-of-week 7": "day-of-week '",  # with "accepts 0-6 only"
    "day-of-month and day-of-week": "both day-of-month and day-of-week",
    "never fires": "never fires",
    "other whitespace": "the only separators cronctl passes on",
    "duplicate values": "a value is listed twice",
    "hobby plan": "the Hobby plan allows cron jobs at most once a day",
    "zone name case": None,  # zones: test_schedules_zones_agree_with_vercels_broker
}

# which golden columns are Vercel's verdict for each dialect
DIALECTS = {
    "crons": (dict(plan="pro"), ("crons_add", "json_crons")),
    "crons-hobby": (dict(plan="hobby"), ("crons_add", "json_crons")),
    "schedules": (dict(output="schedules"), ("schedules",)),
}


def vercel_accepts(case: dict, columns: tuple[str, ...]) -> bool:
    return all(case[c] is True for c in columns)


def errors(dialect, expr: str) -> list[str]:
    return [p.message for p in dialect.validate(expr) if p.severity == "error"]


def deliberate_class(message: str) -> str | None:
    for name, fragment in DELIBERATE.items():
        if fragment and fragment in message and (
                name != "day-of-week 7" or "accepts 0-6 only" in message):
            return name
    return None


def compare(name: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(accepted but Vercel refuses, deliberate refusals by class, undeclared refusals)."""
    kwargs, columns = DIALECTS[name]
    dialect = cron.get_dialect("vercel", **kwargs)
    lax, strict, unexplained = [], {}, []
    for case in GOLDEN["cases"]:
        mine = errors(dialect, case["expr"])
        theirs = vercel_accepts(case, columns)
        if not mine and not theirs:
            lax.append(f"{case['expr']!r}: {[case[c] for c in columns]}")
        elif mine and theirs:
            cls = deliberate_class(mine[0])
            if cls is None:
                unexplained.append(f"{case['expr']!r}: {mine[0]}")
            else:
                strict.setdefault(cls, []).append(case["expr"])
    return lax, strict, unexplained


def test_golden_covers_the_whole_corpus_and_names_its_packages():
    assert [c["expr"] for c in GOLDEN["cases"]] == [c["expr"] for c in CORPUS]
    assert {"vercel", "cron-parser", "ajv", "@vercel/config"} <= set(GOLDEN["packages"])
    assert len(CORPUS) >= 1000
    refused = sum(c["crons_add"] is not True for c in GOLDEN["cases"])
    assert 300 < refused < len(CORPUS) - 200  # both verdicts, in number


@pytest.mark.parametrize("name", DIALECTS)
def test_nothing_accepted_that_vercel_refuses(name):
    lax, _, _ = compare(name)
    assert lax == [], f"{len(lax)} accepted by cronctl, refused by Vercel, e.g. {lax[:10]}"


@pytest.mark.parametrize("name", DIALECTS)
def test_every_refusal_of_what_vercel_accepts_is_deliberate(name):
    _, strict, unexplained = compare(name)
    assert unexplained == [], f"{len(unexplained)} undeclared refusals, e.g. {unexplained[:10]}"
    assert strict, "the corpus exercises the deliberate refusals"


def test_each_deliberate_class_is_in_the_docs_with_its_reason():
    text = DOCS.read_text("utf-8")
    for name in DELIBERATE:
        assert f"**{name}**" in text, name


@pytest.mark.parametrize("expr", ["0 0 * * */7", "0  0 * * *", "0\t0 * * *", " 0 0 * * *",
                                  "*/60 0 * * *", "0 */24 * * *"])
def test_what_vercel_accepts_and_cronctl_refused_before(expr):
    case = next(c for c in GOLDEN["cases"] if c["expr"] == expr)
    assert case["crons_add"] is True and case["json_crons"] is True
    assert errors(cron.get_dialect("vercel"), expr) == []


def test_a_step_past_the_field_is_accepted_with_a_warning():
    problems = cron.get_dialect("vercel").validate("0 0 * * */7")
    assert [p.severity for p in problems] == ["warning"]
    assert "only its first value" in problems[0].message


def test_never_firing_stays_refused_saying_why():
    case = next(c for c in GOLDEN["cases"] if c["expr"] == "0 0 31 2 *")
    assert case["crons_add"] is True  # Vercel's CLI takes it; it would never run
    assert errors(cron.get_dialect("vercel"), "0 0 31 2 *") == [
        "'0 0 31 2 *' never fires (no such date)"]


def test_non_ascii_digits_are_refused_naming_the_character():
    for expr in ("\u0660 \u0660 * * *", "\uff10 0 * * *", "\u096b * * * *",
                 "\U0001d7ce 0 * * *"):
        case = next(c for c in GOLDEN["cases"] if c["expr"] == expr)
        assert case["crons_add"] is not True, expr
        (message,) = errors(cron.get_dialect("vercel"), expr)
        assert "character 1" in message and "DIGIT" in message and "U+" in message


def test_schedules_zones_agree_with_vercels_broker():
    """A zone cronctl takes for Vercel Schedules, Vercel's broker takes (its pattern, length and
    node's Intl); cronctl refuses more only where its tz database lacks the name (it checks with
    the local one) or the name is in another case (Intl folds case, the tz database does not)."""
    import zoneinfo

    dialect = cron.get_dialect("vercel", output="schedules")
    here = zoneinfo.available_timezones()
    lax, unexplained = [], []
    for zone, verdict in GOLDEN["zones"].items():
        if not zone:
            continue  # no zone: UTC
        mine = not [p for p in dialect.validate("0 0 * * *", zone) if p.field == "timezone"]
        if mine and verdict is not True:
            lax.append(f"{zone!r}: {verdict}")
        elif verdict is True and not mine and zone in here:
            unexplained.append(zone)
    assert lax == []
    assert unexplained == []
    assert sum(v is True for v in GOLDEN["zones"].values()) > 500
