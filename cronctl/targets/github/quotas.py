"""GitHub Actions' schedule limits (targets/limits.py), as GitHub documents them."""

from __future__ import annotations

from ..limits import Finding, Limit

EVENTS = ("https://docs.github.com/en/actions/reference/workflows-and-actions/"
          "events-that-trigger-workflows#schedule")

LIMITS = (
    Limit("shortest interval between runs", "5 minutes", "every plan", EVENTS, "2026-12-08"),
    Limit("scheduled workflows in a public repository", "disabled after 60 days without "
          "activity", "every plan", EVENTS, "2026-12-08"),
    Limit("start time", "best effort: delayed under load (most at the top of each hour), "
          "may be dropped", "every plan", EVENTS, "2026-12-08"),
)


def check(jobs: list, settings) -> list[Finding]:
    out = []
    active = [j for j in jobs if j.enabled]
    if active:
        out.append(Finding(
            "GitHub runs scheduled workflows late, or drops them, when Actions is busy, and "
            "disables them in a public repository after 60 days without activity "
            f"(read {LIMITS[1].read}, {EVENTS})",
            "'cronctl verify' tells late and missed runs; keep the repository active, or "
            "re-enable the workflow ('cronctl resume')", job=active[0].name, per_job=False))
    for job in active:
        minute = job.schedule.split()[0] if job.schedule.split() else ""
        if minute in ("0", "*") or minute.startswith(("0,", "*/")):
            out.append(Finding(
                "it fires at the top of the hour, GitHub's busiest time: its runs are the "
                "likeliest to start late or be dropped",
                "pick another minute, e.g. 17 instead of 0", job=job.name))
    return out
