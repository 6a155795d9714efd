"""Vercel's cron limits (targets/limits.py), as Vercel documents them."""

from __future__ import annotations

from ..limits import Finding, Limit

CHANGELOG = "https://vercel.com/changelog/cron-jobs-now-support-100-per-project-on-every-plan"
PRICING = "https://vercel.com/docs/cron-jobs/usage-and-pricing"
MAX_CRONS = 100

LIMITS = (
    Limit("cron jobs per project", str(MAX_CRONS), "every plan", CHANGELOG, "2026-12-08"),
    Limit("how often a cron runs", "once a day, some time within its hour", "Hobby", PRICING,
          "2026-12-08"),
    Limit("disabled cron jobs", "still count toward the limit", "every plan",
          "https://vercel.com/docs/cron-jobs/manage-cron-jobs", "2026-12-08"),
)


NEAR = 90  # over the limit is an error of validate.py; from here on, a warning


def check(jobs: list, settings) -> list[Finding]:
    # A disabled job is left out of vercel.json, so it does not count here.
    crons = [j for j in jobs if j.enabled]
    if not NEAR <= len(crons) <= MAX_CRONS:
        return []
    return [Finding(f"{len(crons)} Vercel cron jobs of the {MAX_CRONS} Vercel allows per "
                    f"project (read {LIMITS[0].read}, {CHANGELOG})",
                    "new infrastructure jobs soon need another target (tier: business, "
                    "QStash)", job=crons[-1].name, per_job=False)]
