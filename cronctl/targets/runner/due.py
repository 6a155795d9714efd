"""Which runs are due: a job's scheduled times since the last one the ledger knows, and what
becomes of each (fire, or record as missed), from its catch-up policy and starting deadline.

Pure functions of the job, the times and "now", so the tests drive them with any clock.

- A time is *current* when it is the newest one due at this tick and came due while this
  replica was running (after it started). Every other due time is *late*: it came due while
  no runner ran, or while this one did not look (suspended, a clock jump, an overloaded
  machine: a stall), and the catch-up policy decides it, so a stall never fires a burst.
- `starting_deadline` (seconds): a run that could not start within it after its time is
  missed, whatever the policy (Kubernetes' startingDeadlineSeconds).
- `catchup`: `latest` fires the newest missed run within the deadline and records the
  others as missed (APScheduler's coalesce); `all` fires each; `none` fires none of them.
  There is no cliff: however many were missed, the job keeps running (Kubernetes stops a
  CronJob after more than 100 misses).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...cron import robfig

MAX_TIMES = 1000  # at most this many times per job per tick; the rest on the next tick


@dataclass(frozen=True)
class Due:
    fire: tuple[int, ...]  # scheduled times (ms) to run
    missed: tuple[int, ...]  # scheduled times (ms) to record as missed
    cursor: int  # the newest time considered (ms)


def times_between(compiled, after_ms: int, until_ms: int, limit: int = MAX_TIMES) -> list[int]:
    """The scheduled times t with after < t <= until (ms), robfig's Next in the job's zone."""
    sched, tz = compiled
    out: list[int] = []
    if isinstance(sched, robfig.Every):
        # robfig counts @every from when its scheduler started; replicas start at different
        # times, so here the times are multiples of the period since the Unix epoch: every
        # replica (and every restart) agrees on them.
        period = sched.seconds * 1000
        t = (after_ms // period + 1) * period
        while t <= until_ms and len(out) < limit:
            out.append(t)
            t += period
        return out
    t = after_ms / 1000
    while len(out) < limit:
        nxt = robfig.next_unix(sched, t, tz)
        if nxt is None or nxt * 1000 > until_ms:
            break
        out.append(nxt * 1000)
        t = nxt
    return out


def decide(times: list[int], *, now_ms: int, started_ms: int, catchup: str,
           deadline_s: int | None) -> Due:
    fire: list[int] = []
    missed: list[int] = []
    current = times[-1:] if times and times[-1] > started_ms else []
    late = times[:-1] if current else list(times)  # no runner ran, or a stall

    def in_time(t: int) -> bool:
        return deadline_s is None or now_ms - t <= deadline_s * 1000

    for t in current:
        (fire if in_time(t) else missed).append(t)
    eligible = [t for t in late if in_time(t)]
    missed.extend(t for t in late if not in_time(t))
    if catchup == "all":
        fire = eligible + fire
    elif catchup == "latest" and eligible:
        missed.extend(eligible[:-1])
        if not fire:  # a current run makes the catch-up run redundant
            fire = [eligible[-1]]
        else:
            missed.append(eligible[-1])
    else:
        missed.extend(eligible)
    cursor = times[-1] if times else 0
    return Due(tuple(sorted(fire)), tuple(sorted(missed)), cursor)
