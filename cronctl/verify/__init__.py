"""Did every run happen? Expected slots against observed runs, a state for every slot (issue 28).

Pure: no I/O, no clock. "Now" and the window are arguments; times are unix ms. What feeds it
(the targets' `Observed` capability, the runner's ledger, check-ins) is read by the service,
`cronctl.verification`, which `cronctl verify`, the runner's watch loop and the dashboard share.

    from cronctl.verify import Policy, expected_slots, Expectation, evaluate

    policy = Policy(tolerance_ms=60_000, grace_ms=0, max_runtime_ms=None)
    slots = expected_slots("nightly", dialect, "0 3 * * *", "Europe/Berlin",
                           since_ms=a, until_ms=now, policy=policy)     # slots.py
    report = evaluate([Expectation("nightly", "qstash", tuple(slots), policy)],
                      observations, now_ms=now, since_ms=a)            # match.py
    report.ok, report.counts, report.jobs[0].slots[0].state, report.to_json()

Modules: `slots` (Policy, Slot, expected_slots: the job's own dialect, DST, Vercel Hobby's
hour window), `match` (Expectation, evaluate, Report/JobReport/SlotState, STATES, PROBLEMS).
"""

from __future__ import annotations

from .match import (
    PROBLEMS,
    STATES,
    Expectation,
    JobReport,
    Report,
    SlotState,
    evaluate,
)
from .slots import Policy, Slot, expected_slots

__all__ = ["PROBLEMS", "STATES", "Expectation", "JobReport", "Policy", "Report", "Slot",
           "SlotState", "evaluate", "expected_slots"]
