"""cronctl's QStash and Kubernetes dialects against robfig/cron v3's own answers (golden.json).

golden.json is written by tests/fidelity/robfig/generate.py, which runs the real library (Go);
this test needs no Go. Target: zero disagreements.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cronctl import cron
from cronctl.cron import robfig

GOLDEN = json.loads((Path(__file__).parent / "robfig" / "golden.json").read_text("utf-8"))
CASES = GOLDEN["cases"]


def runs_of(dialect, expr: str, tz: str | None, starts: list[int], n: int) -> list[list[int]]:
    return [[int(r.timestamp()) for r in
             dialect.next_runs(expr, tz, n, after=datetime.fromtimestamp(s, UTC))] for s in starts]


def disagreements(accepts, runs) -> list[str]:
    """Where `accepts(expr)` / `runs(expr, starts, n)` differ from robfig's answers."""
    out = []
    for case in CASES:
        expr, ok = case["expr"], case["ok"]
        if accepts(expr) != ok:
            out.append(f"{expr!r}: robfig {'accepts' if ok else 'refuses'} ({case.get('error')})")
        elif ok:
            got = runs(expr, case["starts"], GOLDEN["runs_per_start"])
            if got != case["runs"]:
                out.append(f"{expr!r}: runs differ")
    return out


def test_corpus_is_large_and_covers_zones_and_refusals():
    exprs = [c["expr"] for c in CASES]
    assert len(exprs) >= 300
    assert sum(not c["ok"] for c in CASES) >= 50
    for zone in ("Australia/Lord_Howe", "America/New_York", "Europe/Berlin", "Australia/Sydney"):
        assert sum(e.startswith(f"CRON_TZ={zone} ") for e in exprs) >= 10


def test_qstash_dialect_agrees_with_robfig():
    q = cron.get_dialect("qstash")
    bad = disagreements(lambda e: q.refusal(e) is None,
                        lambda e, starts, n: runs_of(q, e, None, starts, n))
    assert bad == [], f"{len(bad)} disagreements, e.g. {bad[:10]}"


def _k8s_form(expr: str) -> tuple[str, str] | None:
    """A prefixed corpus expression as a Kubernetes CronJob: (schedule, spec.timeZone)."""
    if not expr.startswith(("TZ=", "CRON_TZ=")) or " " not in expr:
        return None
    zone, rest = robfig.split_zone_prefix(expr)
    return (rest, zone) if zone and zone != "Local" else None


def test_kubernetes_dialect_agrees_with_robfig_with_the_zone_in_timezone():
    """The controller prefixes spec.timeZone as TZ= and calls ParseStandard/Next: same answers."""
    k = cron.get_dialect("kubernetes")
    checked = 0
    for case in CASES:
        form = _k8s_form(case["expr"])
        if form is None:
            continue
        schedule, zone = form
        refusal = k.refusal(schedule, zone)
        if refusal is not None and refusal.field == "timezone" and case["ok"]:
            # The apiserver's zone-name rule is stricter than Go's LoadLocation.
            assert zone in ("Europe//Berlin", "./UTC"), zone
            continue
        checked += 1
        assert (refusal is None) == case["ok"], case["expr"]
        if case["ok"]:
            got = runs_of(k, schedule, zone, case["starts"], GOLDEN["runs_per_start"])
            assert got == case["runs"], case["expr"]
        assert k.refusal(case["expr"]) is not None  # TZ= in the schedule itself: refused
    assert checked >= 200


@pytest.mark.parametrize("case", [c for c in CASES if not c["ok"]][:40], ids=lambda c: c["expr"])
def test_refusal_message_is_robfigs(case):
    problem = cron.get_dialect("qstash").refusal(case["expr"])
    assert problem is not None and problem.hint
    if not case["error"].startswith(("panic", "provided bad location", "failed to parse")):
        assert case["error"] in problem.message


def test_kubernetes_and_the_runner_agree_with_robfig_on_unprefixed_specs():
    """spec.schedule without a zone is ParseStandard on the spec as written (the runner uses the
    same dialect): every corpus row, shared ones included, Unicode digits and spaces too."""
    from cronctl import targets

    for dialect in (cron.get_dialect("kubernetes"), targets.plugin("runner").ref("dialect")(None)):
        checked = 0
        for case in CASES:
            if "TZ" in case["expr"]:
                continue
            checked += 1
            assert (dialect.refusal(case["expr"]) is None) == case["ok"], case["expr"]
            if case["ok"]:
                got = runs_of(dialect, case["expr"], None, case["starts"], GOLDEN["runs_per_start"])
                assert got == case["runs"], case["expr"]
        assert checked >= 1500
