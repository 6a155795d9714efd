"""Make QStash match the file: build the plan (one GET), then apply it concurrently.

The pure half lives in `plan.py`; this module does the I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import Config
from .errors import CronctlError, ProviderError
from .plan import Change, Plan, diff
from .qstash.client import QStashClient
from .qstash.spec import ScheduleSpec, from_job, from_live

DEFAULT_RATE = 500.0  # requests per second; a ceiling, 429s are waited out anyway


@dataclass
class Failure:
    change: Change
    message: str


@dataclass
class ApplyResult:
    done: list[Change] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


def desired_specs(config: Config) -> list[ScheduleSpec]:
    return [from_job(job) for job in config.business_jobs]


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


async def build_plan(config: Config, client: QStashClient, *, prune: bool = True,
                     only_delete: bool = False, adopt: bool = False,
                     desired: list[ScheduleSpec] | None = None) -> Plan:
    live = await fetch_live(client)
    wanted = desired_specs(config) if desired is None else desired
    return diff(config.project, config.id_prefix, wanted, live, prune=prune,
                only_delete=only_delete, adopt=adopt)


async def _apply_one(client: QStashClient, change: Change) -> None:
    if change.action in ("create", "update"):
        spec = change.desired
        assert spec is not None
        await client.upsert_schedule(spec.destination, spec.request_headers(), spec.body)
        # An upsert does not promise to keep the pause state: set it to match `enabled`.
        if spec.paused:
            await client.pause(spec.schedule_id)
        elif change.live is not None and change.live.paused:
            await client.resume(spec.schedule_id)
    elif change.action == "delete":
        await client.delete_schedule(change.schedule_id)
    elif change.action == "pause":
        await client.pause(change.schedule_id)
    elif change.action == "resume":
        await client.resume(change.schedule_id)


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
