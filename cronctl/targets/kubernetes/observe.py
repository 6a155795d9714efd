"""What Kubernetes tells `cronctl verify` (issue 28). cronctl never talks to the cluster: a
CronJob's liveness is the committed manifest (present, suspended), and its runs are those
`cronctl exec` recorded in the runner's ledger (`kubernetes.wrap: true` container jobs), or
check-ins. A job with neither is unobservable: its slots are not judged."""

from __future__ import annotations

from datetime import timedelta

from ..capabilities import Liveness

UNWRAPPED = ("Kubernetes keeps only a CronJob's last few Jobs and cronctl does not read the "
             "cluster: set kubernetes.wrap: true (container jobs run under 'cronctl exec', "
             "which records each run) or send check-ins")
TOLERANCE = timedelta(seconds=60)  # the controller's sync, the pod's scheduling and image pull


def wrapped(target, job) -> bool:
    from .manifest import settings_of

    return bool(job.spec.model.command and settings_of(target.config).wrap)


def tolerance(job) -> timedelta:
    """A CronJob may start until its startingDeadlineSeconds passes, then a pod must start."""
    return TOLERANCE + timedelta(seconds=job.spec.model.starting_deadline or 0)


def max_runtime(job) -> timedelta | None:
    """activeDeadlineSeconds (the job's timeout) ends a Job; past it and a minute: stuck."""
    timeout = job.spec.model.timeout
    return timedelta(seconds=timeout + 60) if timeout else None


def liveness(target, jobs: list, *, checkins: bool) -> dict[str, Liveness]:
    live = {spec.key: spec for spec in target.populate()}
    out = {}
    for job in jobs:
        spec = live.get(job.name)
        blind = None if wrapped(target, job) or checkins else UNWRAPPED
        if spec is None:
            out[job.name] = Liveness(job.name, None, present=False, unobservable=blind,
                                     drift=f"no CronJob {job.name} in {target.path.name} "
                                     "('cronctl generate' writes it)")
        else:
            out[job.name] = Liveness(job.name, None, paused=spec.paused, unobservable=blind,
                                     drift=f"CronJob {job.name} is suspended in "
                                     f"{target.path.name} while the file says enabled"
                                     if spec.paused else None)
    return out


def observed(target, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
    from ..runner.observe import checkins, existing_ledger, observations

    found = checkins(target.config, jobs, since_ms=since_ms, until_ms=until_ms) or []
    names = [j.name for j in jobs if wrapped(target, j)]
    ledger = existing_ledger(target.config) if names else None
    if ledger is None:
        return found, 0
    try:
        runs = observations(ledger, names, since_ms=since_ms, until_ms=until_ms,
                            exec_by="exec")
    finally:
        ledger.close()
    return found + runs, 1
