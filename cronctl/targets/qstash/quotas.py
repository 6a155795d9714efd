"""QStash's plan limits (targets/limits.py) and a daily-message forecast for the file: the
messages its schedules send a day, against the Free plan's quota. Upstash's pricing page
(https://upstash.com/pricing/qstash), as transcribed in api-evangelist/qstash's plan file."""

from __future__ import annotations

from ..limits import Finding, Limit, runs_per_day

PRICING = "https://upstash.com/pricing/qstash"
FREE_MESSAGES = 1000
FREE_SCHEDULES = 10

LIMITS = (
    Limit("messages per day", f"{FREE_MESSAGES:,}", "Free", PRICING, "2026-12-08"),
    Limit("messages per day", "unlimited (billed per 100K)", "Pay as you go", PRICING,
          "2026-12-08"),
    Limit("active schedules", str(FREE_SCHEDULES), "Free", PRICING, "2026-12-08"),
    Limit("what counts as a message", "every delivery attempt, retries included",
          "every plan", PRICING, "2026-12-08"),
)


def forecast(jobs: list) -> float:
    """Messages a day the file's schedules send when every delivery succeeds first time."""
    from ...cron import get_dialect

    dialect = get_dialect("qstash")
    return sum(runs_per_day(dialect, j) for j in jobs if j.enabled)


def check(jobs: list, settings) -> list[Finding]:
    out = []
    active = [j for j in jobs if j.enabled]
    if len(active) > FREE_SCHEDULES:
        out.append(Finding(
            f"{len(active)} QStash schedules: the Free plan allows {FREE_SCHEDULES} active "
            f"schedules (read {LIMITS[2].read}, {PRICING})",
            "fine on Pay as you go or a fixed plan; on Free, pause or move some"))
    per_day = forecast(jobs)
    if per_day > FREE_MESSAGES:
        out.append(Finding(
            f"the QStash schedules send about {per_day:,.0f} messages a day before retries: "
            f"the Free plan allows {FREE_MESSAGES:,} a day (read {LIMITS[0].read}, {PRICING})",
            "fine on Pay as you go or a fixed plan; on Free, run the busiest jobs less often"))
    return out
