"""`cronctl probe` for QStash: the token works, the signing keys match, the schedules agree."""

from __future__ import annotations

import asyncio
import time

from ...environment import current
from ...errors import CronctlError
from ..base import Check, now_ms
from . import connect
from .client import RetryPolicy
from .sync import fetch_live


def probe(target) -> list[Check]:
    try:
        client = connect.client(target.state)
    except CronctlError as exc:
        return [Check("QStash", "fail", exc.message, exc.hint)]
    client.retry = RetryPolicy(attempts=2, base=client.retry.base)

    async def go() -> list[Check]:
        async with client:
            return await _checks(target, client)

    return asyncio.run(go())


async def _checks(target, client) -> list[Check]:

    checks: list[Check] = []
    if True:
        started = time.perf_counter()
        try:
            keys = await client.keys()
        except CronctlError as exc:
            return [Check("QStash", "fail", exc.message, exc.hint)]
        rtt = (time.perf_counter() - started) * 1000
        checks.append(Check("QStash", "ok", f"{client.base_url} answered, token accepted, "
                            f"{rtt:.0f} ms"))
        checks.extend(_signing_keys(keys))
        try:
            target.config.require_env(("qstash",))
            live = await fetch_live(client)
            plan = target.plan(target.desired(), live)
        except CronctlError as exc:
            checks.append(Check("schedules", "fail", exc.message, exc.hint))
        else:
            checks.append(_schedule_check(plan))
    return checks


def _signing_keys(keys: dict) -> list[Check]:
    out = []
    for env_name, field in (("QSTASH_CURRENT_SIGNING_KEY", "current"),
                            ("QSTASH_NEXT_SIGNING_KEY", "next")):
        value = current().get(env_name)
        if not value:
            continue
        if value == keys.get(field):
            out.append(Check(env_name, "ok", "matches QStash"))
        else:
            out.append(Check(env_name, "fail", f"does not match QStash's {field} signing key",
                             "copy both signing keys again from the Upstash console; the app "
                             "will reject every delivery until they match"))
    return out


def _schedule_check(plan) -> Check:
    kinds = {"create": "missing", "update": "drifted", "delete": "orphaned",
             "pause": "should be paused", "resume": "paused against the file"}
    problems: dict[str, list[str]] = {}
    for c in plan.changes:
        problems.setdefault(kinds[c.action], []).append(c.job)
    if not problems:
        from ...words import count

        return Check("schedules", "ok", f"{count(len(plan.unchanged), 'managed schedule')} "
                     "in sync")
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items())
    return Check("schedules", "fail" if set(problems) - {"orphaned"} else "warn", detail,
                 "run 'cronctl diff' to see the plan, then 'cronctl schedule'")


HEALTH_WINDOW_MS = 24 * 3600 * 1000


def delivery_health(target, fail_on: int | None) -> list[Check]:
    """A job failing in a row, or with dead letters, is a warning (a failure at `fail_on`)."""
    from ...words import count
    from .deliveries import job_stats

    jobs = target.jobs
    if not jobs:
        return []
    try:
        stats, _ = job_stats(target.state, jobs, now_ms(target.state) - HEALTH_WINDOW_MS)
    except CronctlError as exc:
        return [Check("deliveries", "fail", exc.message, exc.hint)]
    checks = []
    for st in stats:
        if not st.consecutive_failures and not st.dlq:
            continue
        parts = []
        if st.consecutive_failures:
            parts.append(f"{count(st.consecutive_failures, 'run')} failed in a row")
            if st.last_failure:
                lf = st.last_failure
                what = f"HTTP {lf.status}" if lf.status else lf.error or "failed"
                parts[-1] += f" (the last at {lf.time[:16].replace('T', ' ')} UTC: {what})"
        if st.dlq:
            parts.append(f"{count(st.dlq, 'message')} in the DLQ")
        bad = fail_on is not None and st.consecutive_failures >= fail_on
        checks.append(Check(f"deliveries {st.job}", "fail" if bad else "warn", "; ".join(parts),
                            f"see 'cronctl logs {st.job} --status failed' and "
                            f"'cronctl dlq {st.job}'"))
    if not checks:
        checks.append(Check("deliveries", "ok", f"{count(len(stats), 'job')}: none failing in "
                            "the last 24h, nothing in the DLQ"))
    return checks
