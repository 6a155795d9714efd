"""What the dashboard shows of `cronctl verify` (issue 28 item 5): the jobs page's summary
(failing, missed, late, paused, and the jobs that need attention first) and each job's
timeline of slots. The report comes from the service the command and the runner's watch use
(cronctl/verification.py); this only shapes it for the templates."""

from __future__ import annotations

from typing import Any

TIMELINE = 96  # newest slots on a job's timeline
# A glyph beside each colour, so a state is never told by colour alone.
GLYPH = {"ok": "✓", "late": "~", "missed": "✗", "failed": "✗", "duplicate": "2",
         "stuck": "!", "pending": "…", "unobserved": "?"}
ORDER = ("failing", "missed", "late")


def verdict(config, state, window_s: int, notes: list[str]):
    """The report of every job over the window, or None (a note says why)."""
    from ..errors import CronctlError
    from ..targets.base import now_ms
    from ..verification import verify

    now = now_ms(state)
    try:
        report, _ = verify(config, state, since_ms=now - window_s * 1000, now_ms=now)
    except CronctlError as exc:
        notes.append(f"verify: {exc.message}")
        return None
    return report


def needs(job) -> str | None:
    """Why a job needs attention (the worst first), or None."""
    c = job.counts
    if c["failed"] or c["stuck"] or c["duplicate"]:
        return "failing"
    if c["missed"]:
        return "missed"
    if c["late"]:
        return "late"
    return None


def summary(report, rows: list[dict]) -> dict[str, Any] | None:
    """Counts of jobs failing, missing runs, late and paused, and the jobs needing attention,
    worst first (then by how many problem slots)."""
    if report is None:
        return None
    paused = [r["name"] for r in rows if r.get("in_file") and r.get("state") == "paused"]
    flagged = []
    for job in report.jobs:
        why = needs(job)
        if why is not None:
            c = job.counts
            flagged.append({"job": job.job, "target": job.target, "why": why,
                            "problems": c["failed"] + c["stuck"] + c["duplicate"]
                            + c["missed"], "late": c["late"], "drift": job.drift})
    flagged.sort(key=lambda f: (ORDER.index(f["why"]), -f["problems"], -f["late"], f["job"]))
    counts = {why: sum(1 for f in flagged if f["why"] == why) for why in ORDER}
    return {"counts": {**counts, "paused": len(paused)}, "attention": flagged,
            "paused": paused}


def timeline(report, name: str) -> dict[str, Any] | None:
    """One job's newest slots, oldest first: time, state, glyph, run IDs, note."""
    from ..verify.match import iso

    if report is None:
        return None
    job = next((j for j in report.jobs if j.job == name), None)
    if job is None:
        return None
    slots = [{"at": iso(s.slot.scheduled_ms).replace("+00:00", ""), "state": s.state,
              "glyph": GLYPH.get(s.state, "?"), "note": s.note,
              "runs": [r.run_id for r in s.runs if r.run_id]}
             for s in job.slots[-TIMELINE:]]
    counts = {k: v for k, v in job.counts.items() if v}
    return {"slots": slots, "counts": counts, "drift": job.drift,
            "unobservable": job.unobservable, "enabled": job.enabled,
            "shown": len(slots), "total": len(job.slots)}
