"""cronctl's pg_cron dialect against the real engine: Debian's pg_cron 1.4.2 in a real PostgreSQL.

(a) Every schedule of the committed corpus (tests/fidelity/pg_cron/corpus.json: pg_cron's own,
plus the corpus every provider's engine judges) that cronctl accepts is accepted by
`cron.schedule`, and every one it refuses is refused there, but for one deliberate refusal:
characters past ASCII.
(b) A job `cronctl schedule` created fires in the real scheduler at the times `cronctl next`
printed (test_firing.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cronctl.targets.pg_cron.dialect import PgCronDialect

CORPUS = Path(__file__).resolve().parents[2] / "fidelity" / "pg_cron"
sys.path.insert(0, str(CORPUS))
from generate import ask, corpus  # noqa: E402


def _load() -> dict:
    return json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))


def test_the_committed_corpus_is_the_generators():
    assert [e for e, _ in _load()["cases"]] == corpus(), (
        "corpus.json is stale: run python tests/fidelity/pg_cron/generate.py")


def _disagree(exprs: list[str], engine: list[bool], version: str = "1.4"
              ) -> list[tuple[str, str]]:
    """Where cronctl's 1.4 dialect and the engine differ, except the deliberate refusals:
    cronctl refuses every character past ASCII (pg_cron reads those bytes as signed chars,
    skipping a trailing one, so it accepts `0 0 * * *` followed by a no-break space)."""
    dialect = PgCronDialect(version)
    wrong = []
    for expr, accepted in zip(exprs, engine, strict=True):
        ours = dialect.refusal(expr) is None
        if ours != accepted and (ours or expr.isascii()):
            wrong.append((expr, "engine accepts" if accepted else "engine refuses"))
    return wrong


def test_cronctl_accepts_exactly_what_the_real_cron_schedule_accepts(cron_url):
    cases = _load()["cases"]
    exprs = [e for e, _ in cases]
    engine = ask(cron_url, exprs)
    assert not _disagree(exprs, engine), _disagree(exprs, engine)[:20]
    # the committed answers are the engine's (so the offline test below checks the same thing)
    assert engine == [a for _, a in cases]
    assert 0.1 < sum(engine) / len(engine) < 0.9  # both sides are well represented
    deliberate = [e for e, a in zip(exprs, engine, strict=True) if a and not e.isascii()]
    assert deliberate and all(PgCronDialect("1.4").refusal(e) for e in deliberate)


def test_offline_the_dialect_matches_the_engines_committed_answers():
    cases = _load()["cases"]
    wrong = _disagree([e for e, _ in cases], [a for _, a in cases])
    assert not wrong, wrong[:20]


def test_a_character_past_ascii_is_named():
    problem = PgCronDialect("1.4").refusal("0 0 * * *\u00a0")
    assert problem.message.startswith("character 10, NO-BREAK SPACE (U+00A0)")


# -- 1.5 and 1.6, which Debian does not package: pg_cron's own parser compiled from its source ----
# (tests/fidelity/pg_cron/engine_source.py: entry.c, misc.c, ParseSchedule, TryParseInterval)

def _source(version: str) -> list[list]:
    return json.loads((CORPUS / f"source-{version}.json").read_text(encoding="utf-8"))["cases"]


def test_the_harness_built_from_1_4_2s_source_answers_as_the_real_engine():
    """What proves the harness: from 1.4.2's source it gives the real 1.4.2 server's answers."""
    engine = {e: a for e, a in _load()["cases"]}
    harness = _source("1.4")
    assert len(harness) > 2000
    assert [(e, a) for e, a in harness if engine[e] != a] == []


@pytest.mark.parametrize(("version", "tag"), [("1.5", "v1.5.2"), ("1.6", "v1.6.7")])
def test_the_dialect_answers_as_pg_crons_source(version, tag):
    data = json.loads((CORPUS / f"source-{version}.json").read_text(encoding="utf-8"))
    assert tag in data["engine"]
    cases = data["cases"]
    assert [e for e, _ in cases] == [e for e in corpus() if "\0" not in e]
    wrong = _disagree([e for e, _ in cases], [a for _, a in cases], version)
    assert not wrong, wrong[:20]
    exprs = {e for e, a in cases if a}
    assert {"5 seconds", "0 0 $ * *"} & exprs == ({"5 seconds", "0 0 $ * *"} if version == "1.6"
                                                 else {"5 seconds"})
