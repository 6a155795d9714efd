"""cronctl's pg_cron dialect against the real engine: Debian's pg_cron 1.4.2 in a real PostgreSQL.

(a) Every schedule of the committed corpus (tests/fidelity/pg_cron/corpus.json) that cronctl
accepts is accepted by `cron.schedule`, and every one it refuses is refused there.
(b) A job `cronctl schedule` created fires in the real scheduler at the times `cronctl next`
printed (test_firing.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cronctl.targets.pg_cron.dialect import PgCronDialect

CORPUS = Path(__file__).resolve().parents[2] / "fidelity" / "pg_cron"
sys.path.insert(0, str(CORPUS))
from generate import ask, corpus  # noqa: E402


def _load() -> dict:
    return json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))


def test_the_committed_corpus_is_the_generators():
    assert [e for e, _ in _load()["cases"]] == corpus()


def test_cronctl_accepts_exactly_what_the_real_cron_schedule_accepts(cron_url):
    cases = _load()["cases"]
    exprs = [e for e, _ in cases]
    engine = ask(cron_url, exprs)
    dialect = PgCronDialect("1.4")
    ours = [dialect.refusal(e) is None for e in exprs]
    wrong = [(e, "engine accepts" if a else "engine refuses")
             for e, a, o in zip(exprs, engine, ours, strict=True) if a != o]
    assert not wrong, wrong[:20]
    # the committed answers are the engine's (so the offline test below checks the same thing)
    assert engine == [a for _, a in cases]
    assert 0.1 < sum(engine) / len(engine) < 0.9  # both sides are well represented


def test_offline_the_dialect_matches_the_engines_committed_answers():
    dialect = PgCronDialect("1.4")
    wrong = [e for e, a in _load()["cases"] if (dialect.refusal(e) is None) != a]
    assert not wrong, wrong[:20]
