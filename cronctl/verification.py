"""The service behind `cronctl verify` (and the runner's watch loop, and the dashboard's
timeline): read what each target observed, compute what was expected, judge every slot.

    report, requests = verify(config, state, jobs=[...], since_ms=..., now_ms=...)

For each target with jobs in the selection, one `liveness` and one `observed` call (batched by
the target), then the pure `cronctl.verify.evaluate`. A target without the `Observed`
capability has its jobs reported "unobserved" with its reason, never missed. No provider is
named here: tolerances, liveness and runs come from the targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from . import targets as registry
from .errors import UsageError
from .targets.capabilities import Liveness, Observed
from .verify import Expectation, Policy, Report, evaluate, expected_slots
from .verify.match import iso

DEFAULT_GRACE = timedelta(0)
# Slots this far after now are computed too, so that a run a provider (its clock ahead of
# ours) already started for the next slot is matched to it, not to this one as a duplicate.
AHEAD_MS = 60_000


def policy_for(config, target, job) -> Policy:
    """The job's `verify:` fields, else its target settings' `verify:`, else the target's own
    tolerance and max runtime (grace: none)."""
    own = job.verify
    settings = registry.settings_of(config, job.target)
    shared = getattr(settings, "verify", None)

    def pick(name: str):
        for source in (own, shared):
            value = getattr(source, name, None) if source is not None else None
            if value is not None:
                return timedelta(seconds=value)
        return None

    observed = isinstance(target, Observed)
    tolerance = pick("tolerance")
    if tolerance is None:
        tolerance = target.tolerance_for(job) if observed else Observed.tolerance
    grace = pick("grace")
    runtime = pick("max_runtime")
    if runtime is None and observed:
        runtime = target.max_runtime_for(job)
    grace = DEFAULT_GRACE if grace is None else grace
    return Policy(_ms(tolerance), _ms(grace), _ms(runtime) if runtime is not None else None)


def verify(config, state, *, jobs: Sequence | None = None, since_ms: int, now_ms: int
           ) -> tuple[Report, int]:
    """(the report of these jobs (default: every job of the file) since `since_ms`, the
    requests made). Raises UsageError when a window holds too many slots for a job."""
    from .engine import target_for

    chosen = list(config.jobs if jobs is None else jobs)
    by_target: dict[str, list] = {}
    for job in chosen:
        by_target.setdefault(job.target, []).append(job)
    expectations: list[Expectation] = []
    observations: list = []
    requests = 0
    for name, its_jobs in by_target.items():
        target = target_for(config, state, its_jobs[0])
        policies = {j.name: policy_for(config, target, j) for j in its_jobs}
        reach = max(_reach(config, j, p) for j, p in zip(its_jobs, policies.values(),
                                                          strict=True))
        start, note = _kept_from(target, since_ms, now_ms)
        if isinstance(target, Observed):
            live = target.liveness(its_jobs)
            found, n = target.observed(its_jobs, since_ms=start - reach, until_ms=now_ms)
            observations += found
            requests += n + target.requests  # a listing for liveness counts too
        else:
            reason = target.lacks(Observed).render()
            live = {j.name: Liveness(j.name, None, unobservable=reason) for j in its_jobs}
        for job in its_jobs:
            exp = _expect(config, job, name, policies[job.name],
                          live.get(job.name) or Liveness(job.name, None), start - reach,
                          now_ms)
            expectations.append(replace(exp, judged_from_ms=start, note=note))
    # A run of a file job outside the selection is not a stranger: it is not reported at all.
    others = {j.name for j in config.jobs} - {j.name for j in chosen}
    observations = [o for o in observations if o.job not in others]
    return evaluate(expectations, observations, now_ms=now_ms, since_ms=since_ms), requests


def _kept_from(target, since_ms: int, now_ms: int) -> tuple[int, str | None]:
    """Where judging starts for this target: the window's start, or later when the target
    keeps its runs for less (QStash's log retention), with a note saying so."""
    kept = getattr(target, "retention", None) if isinstance(target, Observed) else None
    if kept is None or now_ms - _ms(kept) <= since_ms:
        return since_ms, None
    start = now_ms - _ms(kept)
    return start, (f"{target.title} keeps its runs for {_days(kept)}: slots before "
                   f"{iso(start)} are not judged")


def _expect(config, job, target: str, policy: Policy, live: Liveness, from_ms: int,
            now_ms: int) -> Expectation:
    dialect = registry.dialect_of(config, job)
    try:  # a job the file pauses expects nothing: no slots to compute
        slots = expected_slots(job.name, dialect, job.schedule, job.timezone, since_ms=from_ms,
                               until_ms=now_ms + AHEAD_MS, policy=policy,
                               anchor_ms=live.anchor_ms or 0) if job.enabled else []
    except ValueError as exc:
        raise UsageError(f"job {job.name!r}: {exc}",
                         hint="verify a shorter window (--since)") from None
    drift = None
    if job.enabled and (not live.present or live.paused):
        drift = live.drift or ("deleted behind cronctl's back" if not live.present
                               else "paused live while the file says enabled")
    return Expectation(job.name, target, tuple(slots), policy, enabled=job.enabled,
                       since_ms=live.since_ms, drift=drift, unobservable=live.unobservable,
                       schedule=job.schedule, timezone=job.timezone)


def _reach(config, job, policy: Policy) -> int:
    """How far before the window a slot may lie whose run still starts inside it."""
    window = max(0, getattr(registry.dialect_of(config, job), "window_minutes", 0)) * 60_000
    return window + policy.tolerance_ms + policy.grace_ms


def _days(value: timedelta) -> str:
    days = value.total_seconds() / 86400
    return f"{days:g} days" if days != 1 else "1 day"


def _ms(value: timedelta) -> int:
    return int(value.total_seconds() * 1000)
