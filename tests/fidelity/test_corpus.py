"""The shared cron corpus (corpus/cron.json) is what corpus/generate.py writes, and each
engine's golden data judged all of it."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("cron_corpus", HERE / "corpus" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


CRON_JSON = json.loads((HERE / "corpus" / "cron.json").read_text("utf-8"))


def test_cron_json_is_the_generators_output():
    if CRON_JSON["unicode"] != unicodedata.unidata_version:
        pytest.skip(f"written with Unicode {CRON_JSON['unicode']}, this Python has "
                    f"{unicodedata.unidata_version}")
    assert (HERE / "corpus" / "cron.json").read_text("utf-8") == generate.render(generate.cases())


def test_every_engine_judged_the_whole_corpus():
    corpus = {c["expr"] for c in generate.cases()}
    robfig = {c["expr"] for c in json.loads((HERE / "robfig" / "golden.json").read_text())["cases"]}
    vercel = [c["expr"] for c in json.loads((HERE / "vercel" / "golden.json").read_text())["cases"]]
    assert corpus <= robfig
    assert set(vercel) == corpus and len(vercel) == len(corpus)


def test_the_corpus_holds_every_unicode_digit_and_space():
    exprs = {c["expr"] for c in CRON_JSON["cases"]}
    assert all(f"{d} 0 * * *" in exprs for d in generate.unicode_digits())
    assert all(f"0{s}0 * * *" in exprs for s in generate.unicode_spaces() if s not in " \t")
