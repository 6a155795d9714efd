"""cronctl's Vercel dialect against the table of Vercel's documented rules (vercel/cases.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl import cron

CASES = json.loads((Path(__file__).parent / "vercel" / "cases.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['plan']}:{c['expr']!r}:{c['timezone']}")
def test_vercel_rule(case):
    dialect = cron.get_dialect("vercel", plan=case["plan"])
    problems = dialect.validate(case["expr"], case["timezone"])
    errors = [p for p in problems if p.severity == "error"]
    if case["reason"] is None:
        assert errors == []
    else:
        assert len(errors) == 1 and case["reason"] in errors[0].message, errors
        assert errors[0].hint


def test_the_issue_cases_are_in_the_table():
    exprs = {c["expr"] for c in CASES}
    for expr in ("0\t5 * * *", "0  5 * * *", "0\u00a05 * * * *", "*/60 * * * *", "0 */24 * * *",
                 "0 0 */32 * *", "0 0 * * 7", "0 5 * * MON", "0 5 L * *", "0 5 15W * *",
                 "0 5 * * 1#2", "0 5 ? * *", "0 5 1 * 1"):
        assert expr in exprs
