"""A problem a provider's cron rules find in an expression (a leaf: base and dst use it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CronProblem:
    message: str
    hint: str
    severity: str = "error"  # "error" or "warning"
    field: str = "schedule"  # the job field it is about: schedule or timezone
