"""A job's runs as the dashboard summarises them: success rate, durations, the failure streak
and a sparkline of the newest runs. Pure; the runs come newest first from `Target.runs`."""

from __future__ import annotations

import math
from typing import Any

SPARK = 20  # runs in a sparkline


def percentile(values: list[int], q: float) -> int | None:
    """Nearest rank (as `cronctl stats`): p95 of 20 values is the 19th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), math.ceil(q * len(ordered)))) - 1]


def summarise(runs: list) -> dict[str, Any]:
    """`runs`: one job's runs, newest first (Run objects of targets/base.py)."""
    finished = [r for r in runs if r.state in ("delivered", "failed")]
    ok = sum(1 for r in finished if r.state == "delivered")
    streak = 0
    for r in finished:
        if r.state != "failed":
            break
        streak += 1
    durations = [r.duration_ms for r in runs if r.duration_ms is not None]
    last = runs[0] if runs else None
    last_ok = next((r for r in runs if r.state == "delivered"), None)
    last_bad = next((r for r in runs if r.state == "failed"), None)
    return {
        "runs": len(runs),
        "delivered": ok,
        "failed": len(finished) - ok,
        "in_flight": sum(1 for r in runs if r.state == "in-flight"),
        "success_rate": round(ok / len(finished), 4) if finished else None,
        "p50_ms": percentile(durations, 0.5),
        "p95_ms": percentile(durations, 0.95),
        "failure_streak": streak,
        "last_run": last.due or last.started if last else None,
        "last_state": last.state if last else None,
        "last_success": (last_ok.due or last_ok.started) if last_ok else None,
        "last_failure": (last_bad.due or last_bad.started) if last_bad else None,
        "last_problem": last_bad.problem if last_bad else None,
        "spark": [r.state for r in reversed(runs[:SPARK])],  # oldest first, left to right
    }


def state_of(row: dict[str, Any], summary: dict[str, Any] | None) -> str:
    """The one state the jobs page filters on: as `list` says, with paused and failing."""
    status = row.get("status") or "unknown"
    if status == "in sync" and row.get("paused"):
        return "paused"
    if status == "in sync" and summary and summary.get("failure_streak"):
        return "failing"
    return status
