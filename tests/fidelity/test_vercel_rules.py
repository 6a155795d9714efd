"""The Vercel rules no published Vercel code checks, from Vercel's docs (vercel/documented.json).

The Hobby plan's once-a-day limit and UTC-only Cron Jobs are applied by Vercel's servers at
deploy. Everything else the Vercel dialect decides is proven against Vercel's own validators
(test_vercel_golden.py); this table holds only what that cannot reach.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cronctl import cron

TABLE = Path(__file__).parent / "vercel" / "documented.json"
CASES = json.loads(TABLE.read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['plan']}:{c['expr']!r}:{c['timezone']}")
def test_vercel_documented_rule(case):
    dialect = cron.get_dialect("vercel", plan=case["plan"])
    problems = dialect.validate(case["expr"], case["timezone"])
    errors = [p for p in problems if p.severity == "error"]
    if case["reason"] is None:
        assert errors == []
    else:
        assert len(errors) == 1 and case["reason"] in errors[0].message, errors
        assert errors[0].hint


def test_the_table_holds_only_what_no_vercel_code_checks():
    assert all(c["plan"] != "pro" or c["timezone"] for c in CASES)
    assert {c["plan"] for c in CASES} >= {"hobby", "pro"}
