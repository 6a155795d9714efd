"""QStash's I/O: read the schedules (one GET) and apply a plan concurrently.

The pure half is `plan.diff()` with the QStash target's rules (target.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...config import Config
from ...errors import CronctlError, ProviderError
from ...plan import Change, Plan
from ..base import ApplyResult, Failure
from .client import QStashClient
from .spec import ScheduleSpec, from_job, from_live

DEFAULT_RATE = 500.0  # requests per second; a ceiling, 429s are waited out anyway


def desired_specs(config: Config) -> list[ScheduleSpec]:
    return [from_job(job) for job in config.jobs_for("qstash")]


async def fetch_live(client: QStashClient) -> list[ScheduleSpec]:
    specs = []
    for obj in await client.list_schedules():
        try:
            specs.append(from_live(obj))
        except (TypeError, ValueError, AttributeError):
            raise ProviderError(
                f"QStash listed a schedule cronctl cannot read ({str(obj.get('scheduleId'))!r})",
                hint="is QSTASH_URL a QStash endpoint?") from None
    return specs


async def _apply_one(client: QStashClient, change: Change) -> None:
    if change.action in ("create", "update", "rename"):
        spec = change.desired
        assert spec is not None
        await client.upsert_schedule(spec.destination, spec.request_headers(), spec.body)
        # An upsert does not promise to keep the pause state: set it to match `enabled`.
        if spec.paused:
            await client.pause(spec.schedule_id)
        elif change.action == "update" and change.live is not None and change.live.paused:
            await client.resume(spec.schedule_id)
        if change.action == "rename":  # the new one exists: the old one goes
            await client.delete_schedule(change.live.schedule_id)
    elif change.action == "delete":
        await client.delete_schedule(change.key)
    elif change.action == "pause":
        await client.pause(change.key)
    elif change.action == "resume":
        await client.resume(change.key)


async def apply(
    plan: Plan,
    client: QStashClient,
    *,
    on_done: Callable[[Change, str | None], None] | None = None,
) -> ApplyResult:
    """Apply every change; a failed change (after the client's retries) does not stop the
    others. Running the same plan again converges, since every write is idempotent. How many
    requests are in flight at once is the client's number of lanes."""
    result = ApplyResult()

    async def run(change: Change) -> None:
        try:
            await _apply_one(client, change)
        except CronctlError as exc:  # one job that cannot be sent does not stop the others
            result.failed.append(Failure(change, exc.message))
            if on_done:
                on_done(change, exc.message)
            return
        result.done.append(change)
        if on_done:
            on_done(change, None)

    # Writes first, deletes after: an adopted schedule is replaced before its old copy goes.
    writes = [c for c in plan.changes if c.action != "delete"]
    deletes = [c for c in plan.changes if c.action == "delete"]
    await asyncio.gather(*(run(c) for c in writes))
    await asyncio.gather(*(run(c) for c in deletes))
    return result
